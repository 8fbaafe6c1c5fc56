/* http_listen.c — binding the server's listening socket, alone or sharing its port.
 *
 * With reuse_port, several processes (or loops) listen on one address and the kernel
 * spreads new connections over them by a hash of the connection's addresses and ports
 * (SO_REUSEPORT). libuv 1.44 has no flag for it, so the socket is made here and handed
 * to libuv with uv_tcp_open(). */
#include "http/http_internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static socklen_t addr_len(const struct sockaddr *addr)
{
    return addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

int http_listen_bind(uv_tcp_t *listener, const struct sockaddr *addr, bool reuse_port)
{
    if (!reuse_port)
        return uv_tcp_bind(listener, addr, 0);
    int rc = 0;
    int one = 1;
    int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    /* SO_REUSEADDR as libuv sets it (a restart binds while old connections linger);
     * SO_REUSEPORT so that the other processes of the group may bind the same port. */
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0 ||
        bind(fd, addr, addr_len(addr)) != 0) {
        rc = -errno;
        goto fail;
    }
    rc = uv_tcp_open(listener, (uv_os_sock_t)fd);
    if (rc != 0)
        goto fail;
    return 0;
fail:
    close(fd);
    return rc;
}
