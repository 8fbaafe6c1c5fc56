/* buf.h — a reference-counted, immutable byte buffer.
 *
 * The hub encodes an event once into a pw_buf and hands the same buffer to every client's
 * write queue; each holder takes a reference and drops it when its write completes. pitwall
 * is single-threaded per event loop, so the count is a plain integer. */
#ifndef PW_CORE_BUF_H
#define PW_CORE_BUF_H

#include <stddef.h>

struct pw_buf {
    unsigned refs;
    size_t len;
    /* The same bytes compressed once for every client that asked for it (hub/packer.h),
     * made on first use and freed with this buffer, with what each client's trailer needs:
     * CRC-32 and Adler-32 of `data`, and zlib's operator to append a CRC-32 over `len`. */
    struct pw_buf *packed;
    unsigned long crc, adler, crc_op;
    char data[];
};

/* A buffer holding a copy of `len` bytes of `data` (data may be NULL: zero-filled), with
 * one reference owned by the caller. NULL when out of memory. */
struct pw_buf *pw_buf_new(const void *data, size_t len);
struct pw_buf *pw_buf_ref(struct pw_buf *buf);
/* Drops one reference; frees the buffer with the last one. NULL is ignored. */
void pw_buf_unref(struct pw_buf *buf);

#endif
