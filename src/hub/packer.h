/* packer.h — compressed streams (Content-Encoding gzip or deflate) with each frame
 * compressed once for every client (docs/HTTP.md, "Compression"; figures in BENCHMARKS.md).
 *
 * Owns: one zlib deflate state, reused for every frame. A frame is compressed on its own
 * (the state is reset first) and ends with a sync flush, so its compressed bytes reference
 * nothing before them and end on a byte boundary: any sequence of such segments, after one
 * stream header, is a valid deflate stream. Each client keeps only the running checksum and
 * length of what it was sent, for the trailer that ends its stream. The segment is kept on
 * the frame's pw_buf (`packed`), so a frame in the event log is compressed at most once. */
#ifndef PW_HUB_PACKER_H
#define PW_HUB_PACKER_H

#include "core/buf.h"

#include <stdint.h>

enum hub_pack_encoding {
    HUB_PACK_IDENTITY = 0,
    HUB_PACK_GZIP,    /* RFC 1952: gzip header, CRC-32 and size trailer */
    HUB_PACK_DEFLATE, /* RFC 1950 "zlib" (what HTTP calls deflate): Adler-32 trailer */
};

/* The encoding to answer with for an Accept-Encoding header (NULL: none): gzip when
 * acceptable, else deflate, else identity. A q-value of 0 refuses a coding. */
enum hub_pack_encoding hub_pack_negotiate(const char *accept_encoding);
/* "gzip", "deflate" or NULL (identity). */
const char *hub_pack_encoding_name(enum hub_pack_encoding enc);

struct hub_packer;
/* `level`: zlib level 1..9. Returns 0, -EINVAL or -ENOMEM. */
int hub_packer_create(int level, struct hub_packer **out);
void hub_packer_destroy(struct hub_packer *p);

/* The compressed segment of `buf` (made once, then kept on buf; borrowed, not a new
 * reference), or NULL when out of memory. */
struct pw_buf *hub_packer_pack(struct hub_packer *p, struct pw_buf *buf);

/* One client's compressed stream: what its trailer needs. */
struct hub_pack_stream {
    enum hub_pack_encoding enc;
    uint32_t check; /* CRC-32 (gzip) or Adler-32 (deflate) of the bytes sent so far */
    uint32_t size;  /* their length mod 2^32 */
};

void hub_pack_stream_init(struct hub_pack_stream *s, enum hub_pack_encoding enc);
/* The stream header as a new buffer (NULL on OOM). */
struct pw_buf *hub_pack_stream_header(const struct hub_pack_stream *s);
/* Account for `buf` (the uncompressed frame, packed by hub_packer_pack) having been sent. */
void hub_pack_stream_sent(struct hub_pack_stream *s, const struct pw_buf *buf);
/* The end of the stream: a final empty block and the trailer, as a new buffer. */
struct pw_buf *hub_pack_stream_trailer(const struct hub_pack_stream *s);

#endif
