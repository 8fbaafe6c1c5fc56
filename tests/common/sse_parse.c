/* sse_parse.c — see sse_parse.h. */
#include "sse_parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void sse_parser_init(struct sse_parser *p, size_t max_line, sse_event_fn on_event, void *ctx)
{
    memset(p, 0, sizeof *p);
    p->max_line = max_line;
    p->on_event = on_event;
    p->ctx = ctx;
}

void sse_parser_keep(struct sse_parser *p)
{
    p->keep = true;
}

void sse_parser_free(struct sse_parser *p)
{
    free(p->line);
    p->line = NULL;
    p->line_len = p->line_cap = 0;
    free(p->data);
    p->data = NULL;
    p->data_len = p->data_cap = 0;
}

/* Appends one data line (joined to the previous ones with "\n"). */
static int data_append(struct sse_parser *p, const char *v, size_t len)
{
    size_t need = p->data_len + (p->cur.has_data ? 1 : 0) + len + 1;
    if (need > p->data_cap) {
        size_t cap = p->data_cap ? p->data_cap : 1024;
        while (cap < need)
            cap *= 2;
        char *n = realloc(p->data, cap);
        if (!n)
            return -ENOMEM;
        p->data = n;
        p->data_cap = cap;
    }
    if (p->cur.has_data)
        p->data[p->data_len++] = '\n';
    memcpy(p->data + p->data_len, v, len);
    p->data_len += len;
    p->data[p->data_len] = '\0';
    return 0;
}

int sse_parse_id(const char *s, size_t len, uint64_t *r, uint64_t *c)
{
    uint64_t v[2] = {0, 0};
    int part = 0;
    size_t digits = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (ch >= '0' && ch <= '9') {
            if (v[part] > (UINT64_MAX - 9) / 10)
                return -EINVAL;
            v[part] = v[part] * 10 + (uint64_t)(ch - '0');
            digits++;
        } else if (ch == '-' && part == 0 && digits > 0) {
            part = 1;
            digits = 0;
        } else {
            return -EINVAL;
        }
    }
    if (part != 1 || digits == 0)
        return -EINVAL;
    *r = v[0];
    *c = v[1];
    return 0;
}

/* The positions object puts server_ms near its end: search backwards. */
static bool find_server_ms(const char *d, size_t len, int64_t *out)
{
    static const char key[] = "\"server_ms\":";
    const size_t klen = sizeof key - 1;
    if (len < klen + 1)
        return false;
    for (size_t i = len - klen + 1; i-- > 0;) {
        if (d[i] == '"' && memcmp(d + i, key, klen) == 0) {
            size_t j = i + klen;
            while (j < len && d[j] == ' ')
                j++;
            int64_t v = 0;
            size_t start = j;
            while (j < len && d[j] >= '0' && d[j] <= '9' && j - start < 18)
                v = v * 10 + (d[j++] - '0');
            if (j == start)
                return false;
            *out = v;
            return true;
        }
    }
    return false;
}

/* "type":"<name>" near the start of the data object. */
static void find_type(const char *d, size_t len, char *out, size_t out_len)
{
    static const char key[] = "\"type\":\"";
    const size_t klen = sizeof key - 1;
    size_t scan = len < 64 ? len : 64;
    for (size_t i = 0; i + klen <= scan; i++) {
        if (memcmp(d + i, key, klen) == 0) {
            size_t j = i + klen, n = 0;
            while (j < len && d[j] != '"' && n + 1 < out_len)
                out[n++] = d[j++];
            out[n] = '\0';
            return;
        }
    }
}

static void copy_field(char *out, size_t out_len, const char *v, size_t len)
{
    if (len >= out_len)
        len = out_len - 1;
    memcpy(out, v, len);
    out[len] = '\0';
}

static void process_line(struct sse_parser *p, const char *line, size_t len)
{
    if (len > 0 && line[len - 1] == '\r')
        len--;
    if (len == 0) {
        if (p->keep)
            p->cur.data = p->data_lost ? NULL : p->cur.has_data ? p->data : "";
        if (p->cur_any && p->on_event)
            p->on_event(p->ctx, &p->cur);
        memset(&p->cur, 0, sizeof p->cur);
        p->cur_any = false;
        p->data_len = 0;
        p->data_lost = false;
        return;
    }
    if (line[0] == ':')
        return; /* comment */
    const char *colon = memchr(line, ':', len);
    size_t name_len = colon ? (size_t)(colon - line) : len;
    const char *v = colon ? colon + 1 : line + len;
    size_t vlen = colon ? len - name_len - 1 : 0;
    if (vlen > 0 && v[0] == ' ') {
        v++;
        vlen--;
    }
    if (name_len == 2 && memcmp(line, "id", 2) == 0) {
        p->cur.has_id = true;
        p->cur.id_ok = sse_parse_id(v, vlen, &p->cur.r, &p->cur.c) == 0;
        copy_field(p->cur.id, sizeof p->cur.id, v, vlen);
        p->cur_any = true;
    } else if (name_len == 5 && memcmp(line, "event", 5) == 0) {
        copy_field(p->cur.event, sizeof p->cur.event, v, vlen);
        p->cur_any = true;
    } else if (name_len == 4 && memcmp(line, "data", 4) == 0) {
        if (p->cur.data_bytes == 0)
            find_type(v, vlen, p->cur.type, sizeof p->cur.type);
        if (!p->cur.has_server_ms)
            p->cur.has_server_ms = find_server_ms(v, vlen, &p->cur.server_ms);
        if (p->keep && data_append(p, v, vlen) < 0)
            p->data_lost = true;
        p->cur.data_bytes += vlen;
        p->cur.has_data = true;
        p->cur_any = true;
    } else if (name_len == 5 && memcmp(line, "retry", 5) == 0 && p->keep) {
        copy_field(p->cur.retry, sizeof p->cur.retry, v, vlen);
        p->cur_any = true;
    }
    /* unknown fields (and retry:, unless kept) are ignored, as EventSource does */
}

static int line_append(struct sse_parser *p, const char *data, size_t len)
{
    if (p->line_len + len > p->max_line)
        return -E2BIG;
    if (p->line_len + len > p->line_cap) {
        size_t cap = p->line_cap ? p->line_cap : 1024;
        while (cap < p->line_len + len)
            cap *= 2;
        char *n = realloc(p->line, cap);
        if (!n)
            return -ENOMEM;
        p->line = n;
        p->line_cap = cap;
    }
    memcpy(p->line + p->line_len, data, len);
    p->line_len += len;
    return 0;
}

int sse_parser_feed(struct sse_parser *p, const char *data, size_t len)
{
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        if (!nl)
            return line_append(p, data, len);
        size_t n = (size_t)(nl - data);
        if (p->line_len > 0) {
            int rc = line_append(p, data, n);
            if (rc < 0)
                return rc;
            process_line(p, p->line, p->line_len);
            p->line_len = 0;
            if (p->line_cap > 65536) { /* do not keep a snapshot-sized buffer per client */
                free(p->line);
                p->line = NULL;
                p->line_cap = 0;
            }
        } else {
            process_line(p, data, n);
        }
        data += n + 1;
        len -= n + 1;
    }
    return 0;
}
