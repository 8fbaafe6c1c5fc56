/* http_request.c — reading a parsed request: headers, query parameters, percent-decoding. */
#include "http/http_internal.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

const char *http_request_header(const struct http_request *req, const char *name)
{
    for (int i = 0; i < req->n_headers; i++) {
        if (strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value;
    }
    return NULL;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int http_percent_decode(const char *src, size_t len, char *out, size_t out_len, bool plus_space)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = src[i];
        if (c == '%') {
            if (i + 2 >= len)
                return -EINVAL;
            int hi = hex_value(src[i + 1]);
            int lo = hex_value(src[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return -EINVAL; /* %00 would cut the text short where nobody looks */
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        }
        if (n + 1 >= out_len)
            return -ENOSPC;
        out[n++] = c;
    }
    if (out_len == 0)
        return -ENOSPC;
    out[n] = '\0';
    return (int)n;
}

int http_query_param(const char *query, const char *key, char *out, size_t out_len)
{
    if (!query || !key || !out || out_len == 0)
        return -EINVAL;
    const char *p = query;
    char name[256];
    while (*p) {
        const char *end = strchr(p, '&');
        size_t seg = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', seg);
        size_t name_len = eq ? (size_t)(eq - p) : seg;
        int rc = http_percent_decode(p, name_len, name, sizeof name, true);
        if (rc >= 0 && strcmp(name, key) == 0) {
            if (!eq) {
                out[0] = '\0';
                return 0;
            }
            rc = http_percent_decode(eq + 1, seg - name_len - 1, out, out_len, true);
            return rc < 0 ? rc : 0;
        }
        p += seg;
        if (*p == '&')
            p++;
    }
    return -ENOENT;
}
