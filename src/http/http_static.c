/* http_static.c — static files (the built web UI) with MIME types, cache headers, ETags,
 * client-side route fallback and a small in-memory cache.
 *
 * The cache lives in the server; entries own their path and a pw_buf with the file body,
 * and are checked against the file's size and mtime on every request, so a rebuilt UI is
 * served at once. Files are read with blocking I/O: they are small and come from the page
 * cache; the size cap below keeps one read short. */
#include "http/http_internal.h"

#include "core/error.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_FILE_MAX (1024 * 1024) /* larger files are read per request */
#define CACHE_TOTAL_MAX (16 * 1024 * 1024)
#define CACHE_ENTRIES_MAX 512
#define STATIC_FILE_MAX (16 * 1024 * 1024) /* refuse anything bigger than a sane bundle */

struct http_static_entry {
    struct http_static_entry *next;
    char *path;
    off_t size;
    struct timespec mtime;
    struct pw_buf *body;
};

struct mime_type {
    const char *ext;
    const char *type;
};

static const struct mime_type mime_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"ico", "image/x-icon"},
    {"woff2", "font/woff2"},
    {"txt", "text/plain; charset=utf-8"},
    {"webmanifest", "application/manifest+json"},
};

static const char *mime_for(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    if (dot) {
        for (size_t i = 0; i < sizeof mime_types / sizeof mime_types[0]; i++) {
            if (strcasecmp(dot + 1, mime_types[i].ext) == 0)
                return mime_types[i].type;
        }
    }
    return "application/octet-stream";
}

void http_static_cache_free(struct http_static_cache *cache)
{
    struct http_static_entry *e = cache->head;
    while (e) {
        struct http_static_entry *next = e->next;
        pw_buf_unref(e->body);
        free(e->path);
        free(e);
        e = next;
    }
    cache->head = NULL;
    cache->bytes = 0;
    cache->entries = 0;
}

static bool contains_ci(const char *s, const char *needle)
{
    size_t n = strlen(needle);
    for (; *s; s++) {
        if (strncasecmp(s, needle, n) == 0)
            return true;
    }
    return false;
}

/* Decode and vet a request path. Everything suspicious is simply "not found". */
static int static_clean_path(const char *raw, char *out, size_t out_len)
{
    if (raw[0] != '/' || strchr(raw, '\\') || contains_ci(raw, "%2f") || contains_ci(raw, "%5c") ||
        contains_ci(raw, "%00"))
        return -ENOENT;
    int n = http_percent_decode(raw, strlen(raw), out, out_len, false);
    if (n < 0)
        return -ENOENT;
    if (memchr(out, '\0', (size_t)n) || strchr(out, '\\'))
        return -ENOENT;
    /* No "." or ".." segments, and no hidden files such as .git or .env. */
    for (const char *seg = out; seg; seg = strchr(seg + 1, '/')) {
        if (seg[1] == '.')
            return -ENOENT;
    }
    return 0;
}

static bool has_extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    return strchr(slash ? slash : path, '.') != NULL;
}

/* The resolved file must stay under the resolved root (symlinks included). */
static bool inside_root(const char *root_real, const char *path)
{
    char real[PATH_MAX];
    if (!realpath(path, real))
        return false;
    size_t n = strlen(root_real);
    return strncmp(real, root_real, n) == 0 && (real[n] == '/' || real[n] == '\0');
}

static int read_file(const char *path, size_t size, struct pw_buf **out)
{
    int rc = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct pw_buf *buf = pw_buf_new(NULL, size);
    if (!buf) {
        rc = -ENOMEM;
        goto out;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, buf->data + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0 ? -errno : -EIO; /* shrank while reading: try again next time */
            pw_buf_unref(buf);
            goto out;
        }
        got += (size_t)n;
    }
    *out = buf;
out:
    close(fd);
    return rc;
}

/* Body of `path` (a new reference), from the cache when size and mtime still match. */
static int static_load(struct http_static_cache *cache, const char *path, const struct stat *st,
                       struct pw_buf **out)
{
    struct http_static_entry **pp = &cache->head;
    for (; *pp; pp = &(*pp)->next) {
        struct http_static_entry *e = *pp;
        if (strcmp(e->path, path) != 0)
            continue;
        if (e->size == st->st_size && e->mtime.tv_sec == st->st_mtim.tv_sec &&
            e->mtime.tv_nsec == st->st_mtim.tv_nsec) {
            *out = pw_buf_ref(e->body);
            return 0;
        }
        /* stale: drop it and read again */
        *pp = e->next;
        cache->bytes -= e->body->len;
        cache->entries--;
        pw_buf_unref(e->body);
        free(e->path);
        free(e);
        break;
    }
    if (st->st_size > STATIC_FILE_MAX)
        return -EFBIG;
    struct pw_buf *body = NULL;
    int rc = read_file(path, (size_t)st->st_size, &body);
    if (rc < 0)
        return rc;
    if (st->st_size <= CACHE_FILE_MAX && cache->entries < CACHE_ENTRIES_MAX &&
        cache->bytes + (size_t)st->st_size <= CACHE_TOTAL_MAX) {
        struct http_static_entry *e = calloc(1, sizeof *e);
        char *p = strdup(path);
        if (e && p) {
            e->path = p;
            e->size = st->st_size;
            e->mtime = st->st_mtim;
            e->body = pw_buf_ref(body);
            e->next = cache->head;
            cache->head = e;
            cache->bytes += (size_t)st->st_size;
            cache->entries++;
        } else {
            free(e);
            free(p);
        }
    }
    *out = body;
    return 0;
}

static bool etag_matches(const char *if_none_match, const char *etag)
{
    if (!if_none_match)
        return false;
    if (strcmp(if_none_match, "*") == 0)
        return true;
    return strstr(if_none_match, etag) != NULL;
}

/* Which file answers `clean` (a vetted path starting with '/'): the file itself, a
 * directory's index.html, or the app's index.html for a client-side route. */
static int static_resolve(const char *root, const char *clean, char *file, size_t file_len,
                          struct stat *st)
{
    int n = snprintf(file, file_len, "%s%s", root, clean);
    if (n < 0 || (size_t)n >= file_len)
        return -ENOENT;
    if (stat(file, st) == 0 && S_ISDIR(st->st_mode)) {
        const char *sep = file[n - 1] == '/' ? "" : "/";
        if ((size_t)n + strlen(sep) + 10 >= file_len)
            return -ENOENT;
        strcat(file, sep);
        strcat(file, "index.html");
        if (stat(file, st) == 0 && S_ISREG(st->st_mode))
            return 0;
    } else if (stat(file, st) == 0 && S_ISREG(st->st_mode)) {
        return 0;
    }
    if (has_extension(clean))
        return -ENOENT;
    n = snprintf(file, file_len, "%s/index.html", root);
    if (n < 0 || (size_t)n >= file_len)
        return -ENOENT;
    if (stat(file, st) == 0 && S_ISREG(st->st_mode))
        return 0;
    return -ENOENT;
}

int http_serve_static(struct http_conn *conn, const struct http_request *req, const char *root)
{
    char clean[1024];
    char file[PATH_MAX];
    char root_real[PATH_MAX];
    struct stat st;
    struct pw_buf *body = NULL;
    int rc;
    if (req->method != HTTP_REQ_GET && req->method != HTTP_REQ_HEAD) {
        return http_respond(conn, 405, "application/json", "Allow: GET, HEAD\r\n",
                            "{\"detail\":\"Method Not Allowed\"}", 31);
    }
    if (!root || !realpath(root, root_real) ||
        static_clean_path(req->path, clean, sizeof clean) < 0 ||
        static_resolve(root_real, clean, file, sizeof file, &st) < 0 ||
        !inside_root(root_real, file))
        return http_respond_error(conn, 404, "Not Found");
    rc = static_load(&conn->srv->static_cache, file, &st, &body);
    if (rc < 0) {
        PW_WARN(conn->srv->log, "http", "static %s: %s", file, pw_strerror(rc));
        return http_respond_error(conn, rc == -EFBIG ? 500 : 404,
                                  rc == -EFBIG ? "File too large" : "Not Found");
    }
    char etag[64];
    snprintf(etag, sizeof etag, "\"%llx-%llx%09lx\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtim.tv_sec, (unsigned long)st.st_mtim.tv_nsec);
    const char *base = strrchr(file, '/');
    const char *cache_control =
        strncmp(clean, "/assets/", 8) == 0 && strcmp(base ? base + 1 : file, "index.html") != 0
            ? "public, max-age=31536000, immutable"
            : "no-cache";
    char extra[256];
    snprintf(extra, sizeof extra,
             "Cache-Control: %s\r\nETag: %s\r\nX-Content-Type-Options: nosniff\r\n", cache_control,
             etag);
    if (etag_matches(http_request_header(req, "If-None-Match"), etag))
        rc = http_respond(conn, 304, NULL, extra, NULL, 0);
    else
        rc = http_respond(conn, 200, mime_for(file), extra, body->data, body->len);
    pw_buf_unref(body);
    return rc;
}
