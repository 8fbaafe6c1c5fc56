#include "core/buf.h"

#include <stdlib.h>
#include <string.h>

struct pw_buf *pw_buf_new(const void *data, size_t len)
{
    struct pw_buf *buf = malloc(sizeof *buf + len + 1);
    if (!buf)
        return NULL;
    buf->refs = 1;
    buf->len = len;
    buf->packed = NULL;
    buf->crc = buf->adler = buf->crc_op = 0;
    if (data)
        memcpy(buf->data, data, len);
    else
        memset(buf->data, 0, len);
    buf->data[len] = '\0'; /* handy for text; not counted in len */
    return buf;
}

struct pw_buf *pw_buf_ref(struct pw_buf *buf)
{
    if (buf)
        buf->refs++;
    return buf;
}

void pw_buf_unref(struct pw_buf *buf)
{
    if (buf && --buf->refs == 0) {
        pw_buf_unref(buf->packed);
        free(buf);
    }
}
