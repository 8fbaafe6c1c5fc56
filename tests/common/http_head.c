#include "http_head.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

size_t http_head_len(const char *buf, size_t len)
{
    for (size_t i = 0; i + 3 < len; i++) {
        if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
            return i + 4;
    }
    return 0;
}

int http_head_status(const char *head)
{
    int status = 0;
    if (sscanf(head, "HTTP/1.%*d %d", &status) != 1)
        return 0;
    return status;
}

bool http_head_value(const char *head, const char *name, char *out, size_t out_len)
{
    size_t n = strlen(name);
    const char *line = strstr(head, "\r\n");
    while (line && line[2] != '\r' && line[2] != '\0') {
        line += 2;
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            const char *e = strstr(v, "\r\n");
            size_t len = e ? (size_t)(e - v) : strlen(v);
            if (len >= out_len)
                len = out_len - 1;
            memcpy(out, v, len);
            out[len] = '\0';
            return true;
        }
        line = strstr(line, "\r\n");
    }
    return false;
}
