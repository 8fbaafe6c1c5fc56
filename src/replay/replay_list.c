/* replay_list.c — finding archive sessions under a root directory, and resolving a
 * session id (untrusted) back to its directory. */
#include "replay/replay.h"

#include "replay/replay_info.h"
#include "replay/replay_parse.h"
#include "replay/replay_stream.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPLAY_LIST_DEPTH 4
#define REPLAY_LIST_MAX_FOUND 4096 /* bounds memory on a huge or hostile tree */
#define REPLAY_INFO_MAX_LINE (1024 * 1024)

struct found {
    struct replay_session_info *items;
    int n, cap;
};

static bool is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static json_t *merge_topic_file(const char *dir, const char *topic)
{
    char path[4096], err[256];
    struct replay_stream s;
    struct replay_read_stats st = {0};
    if (snprintf(path, sizeof path, "%s/%s.jsonStream", dir, topic) >= (int)sizeof path)
        return NULL;
    if (replay_stream_load_file(&s, path, REPLAY_INFO_MAX_LINE, &st, NULL, err, sizeof err) < 0)
        return NULL;
    json_t *state = replay_info_merge_stream(&s);
    replay_stream_free(&s);
    return state;
}

static void describe(const char *dir, struct replay_session_info *info)
{
    json_t *si = merge_topic_file(dir, "SessionInfo");
    json_t *lc = merge_topic_file(dir, "LapCount");
    replay_info_title(si, info->title, sizeof info->title);
    if (!info->title[0])
        replay_copy_text(info->title, sizeof info->title, info->id);
    info->laps = replay_info_laps(lc);
    info->kind = replay_info_kind(si);
    json_decref(si);
    json_decref(lc);
}

static int add_found(struct found *f, const char *id)
{
    if (f->n == REPLAY_LIST_MAX_FOUND)
        return 0;
    if (f->n == f->cap) {
        int ncap = f->cap ? f->cap * 2 : 16;
        struct replay_session_info *n = realloc(f->items, (size_t)ncap * sizeof *n);
        if (!n)
            return -ENOMEM;
        f->items = n;
        f->cap = ncap;
    }
    struct replay_session_info *info = &f->items[f->n++];
    memset(info, 0, sizeof *info);
    snprintf(info->id, sizeof info->id, "%s", id);
    return 0;
}

/* `dir` is the full path, `id` the part below the root ("" for the root itself). */
static int walk(const char *dir, const char *id, int depth, struct found *f)
{
    char probe[4096];
    if (snprintf(probe, sizeof probe, "%s/TimingData.jsonStream", dir) < (int)sizeof probe &&
        is_file(probe) && *id)
        return add_found(f, id);
    if (depth >= REPLAY_LIST_DEPTH)
        return 0;
    DIR *d = opendir(dir);
    if (!d)
        return depth == 0 ? -errno : 0;
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096], child_id[256];
        int np = snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        int ni = snprintf(child_id, sizeof child_id, "%s%s%s", id, *id ? "/" : "", de->d_name);
        if (np < 0 || np >= (int)sizeof path || ni < 0 || ni >= (int)sizeof child_id)
            continue; /* an id that does not fit is not listed */
        struct stat sb;
        /* lstat: a symbolic link below the root is not followed (no loops, no escapes). */
        if (lstat(path, &sb) < 0 || !S_ISDIR(sb.st_mode))
            continue;
        rc = walk(path, child_id, depth + 1, f);
    }
    closedir(d);
    return rc;
}

static int by_id(const void *a, const void *b)
{
    return strcmp(((const struct replay_session_info *)a)->id,
                  ((const struct replay_session_info *)b)->id);
}

/* The next root of a ':'-separated list into `buf`; false at the end. Empty entries are
 * skipped. */
static bool next_root(const char **list, char *buf, size_t len)
{
    while (**list) {
        const char *end = strchr(*list, ':');
        size_t n = end ? (size_t)(end - *list) : strlen(*list);
        const char *start = *list;
        *list += n + (end ? 1 : 0);
        if (n == 0)
            continue;
        if (n >= len)
            return false;
        memcpy(buf, start, n);
        buf[n] = '\0';
        return true;
    }
    return false;
}

int replay_list_sessions(const char *archive_roots, struct replay_session_info *out, int max,
                         int *n_out)
{
    struct found f = {0};
    *n_out = 0;
    if (!archive_roots || max < 0)
        return -EINVAL;
    /* Each root in turn; an id found under an earlier root hides the same id later, as
     * replay_resolve_session picks the first root that has it. */
    const char *list = archive_roots;
    char root[4096];
    int rc = 0, ok = 0;
    while (next_root(&list, root, sizeof root)) {
        int before = f.n;
        int wrc = walk(root, "", 0, &f);
        if (wrc == -ENOMEM) {
            rc = wrc;
            goto out;
        }
        ok += wrc == 0;
        if (wrc < 0)
            rc = wrc;
        for (int i = before; i < f.n;) {
            bool dup = false;
            for (int j = 0; j < before && !dup; j++)
                dup = strcmp(f.items[j].id, f.items[i].id) == 0;
            if (dup)
                f.items[i] = f.items[--f.n];
            else
                i++;
        }
    }
    if (ok == 0) /* no root could be read */
        goto out;
    rc = 0;
    qsort(f.items, (size_t)f.n, sizeof *f.items, by_id);
    int n = f.n < max ? f.n : max;
    for (int i = 0; i < n; i++) {
        out[i] = f.items[i];
        char dir[4096];
        if (replay_resolve_session(archive_roots, out[i].id, dir, sizeof dir) == 0)
            describe(dir, &out[i]);
    }
    *n_out = n;
out:
    free(f.items);
    return rc;
}

static int resolve_in_root(const char *archive_root, const char *id, char *path, size_t pathlen);

int replay_resolve_session(const char *archive_roots, const char *id, char *path, size_t pathlen)
{
    if (!archive_roots)
        return -EINVAL;
    const char *list = archive_roots;
    char root[4096];
    int rc = -ENOENT;
    while (next_root(&list, root, sizeof root)) {
        rc = resolve_in_root(root, id, path, pathlen);
        if (rc == 0 || rc == -EINVAL || rc == -ENAMETOOLONG)
            return rc;
    }
    return rc;
}

static int resolve_in_root(const char *archive_root, const char *id, char *path, size_t pathlen)
{
    if (!archive_root || !id || !*id || id[0] == '/' || strlen(id) >= 256)
        return -EINVAL;
    /* Segments of letters, digits, '-', '_', '.', ' '. */
    const char *seg = id;
    int depth = 0;
    for (const char *p = id;; p++) {
        if (*p == '/' || *p == '\0') {
            /* empty, ".", ".." and hidden names are refused, as the listing skips them */
            if (p == seg || seg[0] == '.' || ++depth > REPLAY_LIST_DEPTH)
                return -EINVAL;
            if (*p == '\0')
                break;
            seg = p + 1;
            continue;
        }
        unsigned char c = (unsigned char)*p;
        if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') &&
            c != '-' && c != '_' && c != '.' && c != ' ')
            return -EINVAL;
    }
    int n = snprintf(path, pathlen, "%s/%s", archive_root, id);
    if (n < 0 || (size_t)n >= pathlen)
        return -ENAMETOOLONG;
    /* No symbolic link on the way below the root, as in replay_list_sessions. */
    char partial[4096];
    size_t root_len = strlen(archive_root);
    for (size_t i = root_len + 1; i <= (size_t)n; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        if (i >= sizeof partial)
            return -ENAMETOOLONG;
        memcpy(partial, path, i);
        partial[i] = '\0';
        struct stat sb;
        if (lstat(partial, &sb) < 0)
            return -ENOENT;
        if (!S_ISDIR(sb.st_mode))
            return -ENOENT;
    }
    char probe[4096];
    if (snprintf(probe, sizeof probe, "%s/TimingData.jsonStream", path) >= (int)sizeof probe)
        return -ENAMETOOLONG;
    return is_file(probe) ? 0 : -ENOENT;
}
