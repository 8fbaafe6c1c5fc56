/* hub_sink.h — where the hub writes a client's stream: the interface between the hub and
 * whatever carries the bytes. The API layer implements it over an HTTP connection
 * (api_streams.c); the hub's unit tests implement it in memory. The hub knows nothing else of
 * its clients, so it is tested without a socket.
 *
 * Contract, for an implementation:
 *   begin(ctx, coding, closed, owner)  start the stream (for HTTP: the 200 and the SSE
 *       headers; `coding` "gzip" or "deflate" is the Content-Encoding of the bytes the hub
 *       will write, NULL for none: the hub compresses, the sink only says so).
 *       0, or a negative code and nothing happened (the hub then gives the sink up). After
 *       0, `closed(owner)` runs exactly once when the stream closes for any reason (the
 *       peer went, a write overflowed, close() was called, the server stops); from then on
 *       the hub no longer uses the sink.
 *   write(ctx, buf)  queue one frame; the sink takes a reference to `buf`, never a copy
 *       of the hub's bytes. A negative code means the stream is closing: `closed` has run
 *       or will run, and the hub counts the client as lost.
 *   close(ctx)  end the stream now (pending frames may be dropped); `closed` runs.
 *   end(ctx)  optional: end the stream after the frames written to it have gone out (the
 *       race's `end` frame); `closed` runs then. Without it the hub calls close().
 * begin() may also return HUB_SINK_ANSWERED: the request was answered without a stream
 * (HTTP HEAD: the headers alone); nothing more happens and `closed` never runs.
 * Everything runs on the hub's loop thread. */
#ifndef PW_HUB_SINK_H
#define PW_HUB_SINK_H

#include "core/buf.h"

typedef void (*hub_sink_closed_fn)(void *owner);

struct hub_sink_ops {
    int (*begin)(void *ctx, const char *coding, hub_sink_closed_fn closed, void *owner);
    int (*write)(void *ctx, struct pw_buf *buf);
    void (*close)(void *ctx);
    void (*end)(void *ctx);
};

#define HUB_SINK_ANSWERED 1

/* A sink is a pair: the operations and the implementation's own object. */
struct hub_sink {
    const struct hub_sink_ops *ops;
    void *ctx;
};

#endif
