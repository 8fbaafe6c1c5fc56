#include "replay/replay_stream.h"

#include "core/error.h"
#include "replay/replay_parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Skipped lines are logged up to this many per file; the counters carry the rest. */
#define REPLAY_LOG_SKIPS_MAX 5

static void log_skip(const struct pw_log *log, const char *name, size_t lineno, const char *why,
                     unsigned *logged)
{
    if (*logged >= REPLAY_LOG_SKIPS_MAX)
        return;
    (*logged)++;
    PW_WARN(log, "replay", "%s line %zu skipped: %s%s", name, lineno, why,
            *logged == REPLAY_LOG_SKIPS_MAX ? " (further skips in this file not logged)" : "");
}

/* Builds the line index over s->buf. */
static int stream_index(struct replay_stream *s, size_t max_line, const char *name,
                        struct replay_read_stats *st, const struct pw_log *log)
{
    size_t cap = 0, pos = 0, lineno = 0;
    unsigned logged = 0;
    int64_t last = -1;
    if (s->buf_len >= 3 && memcmp(s->buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < s->buf_len) {
        const char *line = s->buf + pos;
        const char *nl = memchr(line, '\n', s->buf_len - pos);
        size_t len = nl ? (size_t)(nl - line) : s->buf_len - pos;
        size_t next = pos + len + (nl ? 1 : 0);
        lineno++;
        if (len > 0 && line[len - 1] == '\r')
            len--;
        pos = next;
        if (len == 0)
            continue;
        st->lines_read++;
        if (len > max_line) {
            st->skipped_too_long++;
            log_skip(log, name, lineno, "longer than the line bound", &logged);
            continue;
        }
        int64_t off;
        if (replay_parse_offset(line, len, &off) < 0) {
            st->skipped_bad_offset++;
            log_skip(log, name, lineno, "no valid HH:MM:SS.mmm offset", &logged);
            continue;
        }
        if (off < last) {
            st->out_of_order++;
            log_skip(log, name, lineno, "offset out of order (kept at the previous offset)",
                     &logged);
            off = last;
        }
        last = off;
        if (s->n_lines == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            struct replay_line *nl2 = realloc(s->lines, ncap * sizeof *nl2);
            if (!nl2)
                return -ENOMEM;
            s->lines = nl2;
            cap = ncap;
        }
        s->lines[s->n_lines++] = (struct replay_line){
            .offset_ms = off,
            .start = (uint32_t)(line - s->buf) + REPLAY_OFFSET_LEN,
            .len = (uint32_t)(len - REPLAY_OFFSET_LEN),
        };
    }
    return 0;
}

int replay_stream_load_buffer(struct replay_stream *s, const char *data, size_t len,
                              size_t max_line_bytes, const char *name,
                              struct replay_read_stats *stats, const struct pw_log *log)
{
    memset(s, 0, sizeof *s);
    if (len > REPLAY_MAX_FILE_BYTES)
        return PW_ELIMIT;
    s->buf = malloc(len + 1);
    if (!s->buf)
        return -ENOMEM;
    if (len)
        memcpy(s->buf, data, len);
    s->buf[len] = '\0';
    s->buf_len = len;
    int rc = stream_index(s, max_line_bytes, name, stats, log);
    if (rc < 0)
        replay_stream_free(s);
    return rc;
}

int replay_stream_load_file(struct replay_stream *s, const char *path, size_t max_line_bytes,
                            struct replay_read_stats *stats, const struct pw_log *log, char *err,
                            size_t errlen)
{
    int rc = 0;
    memset(s, 0, sizeof *s);
    FILE *f = fopen(path, "rb");
    if (!f) {
        rc = -errno;
        if (rc != -ENOENT)
            snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return rc;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) < 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "%s is not a regular file", path);
        rc = -EINVAL;
        goto out;
    }
    if ((uint64_t)sb.st_size > REPLAY_MAX_FILE_BYTES) {
        snprintf(err, errlen, "%s is larger than %u bytes", path, REPLAY_MAX_FILE_BYTES);
        rc = PW_ELIMIT;
        goto out;
    }
    size_t size = (size_t)sb.st_size;
    s->buf = malloc(size + 1);
    if (!s->buf) {
        rc = -ENOMEM;
        goto out;
    }
    /* The file may change under us: take what fread gives, up to the size we allocated. */
    s->buf_len = fread(s->buf, 1, size, f);
    if (ferror(f)) {
        snprintf(err, errlen, "cannot read %s", path);
        rc = -EIO;
        goto out;
    }
    s->buf[s->buf_len] = '\0';
    const char *name = strrchr(path, '/');
    rc = stream_index(s, max_line_bytes, name ? name + 1 : path, stats, log);
    if (rc < 0)
        snprintf(err, errlen, "cannot index %s: %s", path, pw_strerror(rc));
out:
    fclose(f);
    if (rc < 0)
        replay_stream_free(s);
    return rc;
}

void replay_stream_free(struct replay_stream *s)
{
    free(s->buf);
    free(s->lines);
    memset(s, 0, sizeof *s);
}
