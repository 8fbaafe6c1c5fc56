/* start_race.c — see start_race.h. */
#include "start_race.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int send_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -errno;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int start_race(const struct sockaddr_in *addr, const char *host_header, const char *body, char *out,
               size_t out_len)
{
    int rc = 0;
    char req[2048];
    char res[16384];
    size_t got = 0;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (const struct sockaddr *)addr, sizeof *addr) < 0) {
        rc = -errno;
        goto out;
    }
    int n =
        snprintf(req, sizeof req,
                 "POST /api/race/start HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                 host_header, strlen(body), body);
    if (n < 0 || (size_t)n >= sizeof req) {
        rc = -E2BIG;
        goto out;
    }
    rc = send_all(fd, req, (size_t)n);
    if (rc < 0)
        goto out;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 10000) <= 0) {
            rc = -ETIMEDOUT;
            goto out;
        }
        ssize_t r = recv(fd, res + got, sizeof res - 1 - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
        if (got == sizeof res - 1)
            break;
    }
    res[got] = '\0';
    int status = 0;
    const char *id = strstr(res, "\"race_id\"");
    if (sscanf(res, "HTTP/1.%*d %d", &status) != 1 || status != 200 || !id) {
        const char *eol = strstr(res, "\r\n");
        fprintf(stderr, "sse_load: race start failed: %.*s\n", eol ? (int)(eol - res) : 80, res);
        const char *b = strstr(res, "\r\n\r\n");
        if (b)
            fprintf(stderr, "sse_load: %s\n", b + 4);
        rc = -EPROTO;
        goto out;
    }
    id = strchr(id + 9, '"');
    const char *end = id ? strchr(id + 1, '"') : NULL;
    if (!id || !end || (size_t)(end - id - 1) >= out_len) {
        rc = -EPROTO;
        goto out;
    }
    memcpy(out, id + 1, (size_t)(end - id - 1));
    out[end - id - 1] = '\0';
out:
    close(fd);
    return rc;
}
