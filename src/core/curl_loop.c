#include "core/curl_loop.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

struct curl_loop_sock {
    uv_poll_t poll;
    curl_socket_t fd;
    struct curl_loop *cl;
    struct curl_loop_sock *next;
    bool closing;
};

struct curl_loop {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;
    curl_loop_done_fn done;
    void *owner;
    struct curl_loop_sock *socks;
    int open_handles; /* uv handles not closed yet: freed at 0 once destroyed */
    bool destroyed;
};

static void maybe_free(struct curl_loop *cl)
{
    if (cl->destroyed && cl->open_handles == 0)
        free(cl);
}

static void sock_closed(uv_handle_t *h)
{
    struct curl_loop_sock *s = h->data;
    struct curl_loop *cl = s->cl;
    for (struct curl_loop_sock **p = &cl->socks; *p; p = &(*p)->next) {
        if (*p == s) {
            *p = s->next;
            break;
        }
    }
    free(s);
    cl->open_handles--;
    maybe_free(cl);
}

static void sock_close(struct curl_loop_sock *s)
{
    if (s->closing)
        return;
    s->closing = true;
    uv_poll_stop(&s->poll);
    uv_close((uv_handle_t *)&s->poll, sock_closed);
}

static void timer_closed(uv_handle_t *h)
{
    struct curl_loop *cl = h->data;
    cl->open_handles--;
    maybe_free(cl);
}

/* Hands every finished transfer to the owner. Never called from inside curl, so the owner
 * may add, remove or destroy from its callback. */
static void check_done(struct curl_loop *cl)
{
    CURLMsg *msg;
    int left;
    while (!cl->destroyed && (msg = curl_multi_info_read(cl->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *easy = msg->easy_handle; /* msg dies with the removal: copy first */
        CURLcode result = msg->data.result;
        curl_multi_remove_handle(cl->multi, easy);
        cl->done(cl->owner, easy, result);
    }
}

static void on_poll(uv_poll_t *h, int status, int events)
{
    struct curl_loop_sock *s = h->data;
    struct curl_loop *cl = s->cl;
    int flags = 0, running;
    if (cl->destroyed)
        return;
    if (status < 0) {
        flags = CURL_CSELECT_ERR;
    } else {
        if (events & UV_READABLE)
            flags |= CURL_CSELECT_IN;
        if (events & UV_WRITABLE)
            flags |= CURL_CSELECT_OUT;
    }
    curl_multi_socket_action(cl->multi, s->fd, flags, &running);
    check_done(cl);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    struct curl_loop *cl = userp;
    struct curl_loop_sock *s = socketp;
    (void)easy;
    if (what == CURL_POLL_REMOVE) {
        if (s) {
            sock_close(s);
            if (!cl->destroyed)
                curl_multi_assign(cl->multi, fd, NULL);
        }
        return 0;
    }
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s)
            return -1;
        if (uv_poll_init_socket(cl->loop, &s->poll, fd) != 0) {
            free(s);
            return -1;
        }
        s->fd = fd;
        s->cl = cl;
        s->poll.data = s;
        s->next = cl->socks;
        cl->socks = s;
        cl->open_handles++;
        curl_multi_assign(cl->multi, fd, s);
    }
    int events = 0;
    if (what & CURL_POLL_IN)
        events |= UV_READABLE;
    if (what & CURL_POLL_OUT)
        events |= UV_WRITABLE;
    return uv_poll_start(&s->poll, events, on_poll) == 0 ? 0 : -1;
}

static void on_timeout(uv_timer_t *t)
{
    struct curl_loop *cl = t->data;
    int running;
    if (cl->destroyed)
        return;
    curl_multi_socket_action(cl->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    check_done(cl);
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
    struct curl_loop *cl = userp;
    (void)multi;
    if (cl->destroyed)
        return 0;
    if (timeout_ms < 0)
        uv_timer_stop(&cl->timer);
    else /* even 0: run from the loop, never from inside curl */
        uv_timer_start(&cl->timer, on_timeout, (uint64_t)timeout_ms, 0);
    return 0;
}

int curl_loop_create(uv_loop_t *loop, curl_loop_done_fn done, void *owner, struct curl_loop **out)
{
    if (!loop || !done || !out)
        return -EINVAL;
    struct curl_loop *cl = calloc(1, sizeof *cl);
    if (!cl)
        return -ENOMEM;
    cl->multi = curl_multi_init();
    if (!cl->multi) {
        free(cl);
        return -ENOMEM;
    }
    cl->loop = loop;
    cl->done = done;
    cl->owner = owner;
    uv_timer_init(loop, &cl->timer);
    cl->timer.data = cl;
    cl->open_handles = 1;
    curl_multi_setopt(cl->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(cl->multi, CURLMOPT_SOCKETDATA, cl);
    curl_multi_setopt(cl->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(cl->multi, CURLMOPT_TIMERDATA, cl);
    *out = cl;
    return 0;
}

int curl_loop_add(struct curl_loop *cl, CURL *easy)
{
    if (!cl || cl->destroyed || !easy)
        return -EINVAL;
    return curl_multi_add_handle(cl->multi, easy) == CURLM_OK ? 0 : -EIO;
}

void curl_loop_remove(struct curl_loop *cl, CURL *easy)
{
    if (cl && !cl->destroyed && easy)
        curl_multi_remove_handle(cl->multi, easy);
}

void curl_loop_destroy(struct curl_loop *cl)
{
    if (!cl || cl->destroyed)
        return;
    cl->destroyed = true;
    curl_multi_cleanup(cl->multi);
    cl->multi = NULL;
    for (struct curl_loop_sock *s = cl->socks; s; s = s->next)
        sock_close(s);
    uv_timer_stop(&cl->timer);
    uv_close((uv_handle_t *)&cl->timer, timer_closed);
}
