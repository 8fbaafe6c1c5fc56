/* Frames compressed once, streams ended per client: see packer.h. */
#include "hub/packer.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

struct hub_packer {
    z_stream z;
    unsigned char *out;
    size_t out_cap;
};

/* The q-value given to `coding` in an Accept-Encoding list: 1000 = q=1, 0 = absent or q=0.
 * A "*" entry counts for a coding not named. */
static int coding_q(const char *header, const char *coding)
{
    int named = -1, star = -1;
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *name = p;
        while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
            p++;
        size_t len = (size_t)(p - name);
        int q = 1000;
        while (*p && *p != ',') {
            if (*p == ';') {
                p++;
                while (*p == ' ' || *p == '\t')
                    p++;
                if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
                    /* q = 0, 0.x, 1: three decimals at most (RFC 9110 §12.4.2). */
                    const char *v = p + 2;
                    q = (*v == '1') ? 1000 : 0;
                    if (*v == '0' && v[1] == '.') {
                        int scale = 100;
                        for (v += 2; isdigit((unsigned char)*v) && scale; v++, scale /= 10)
                            q += (*v - '0') * scale;
                    }
                }
                continue;
            }
            p++;
        }
        if (len == strlen(coding) && strncasecmp(name, coding, len) == 0)
            named = q;
        else if (len == 1 && name[0] == '*')
            star = q;
    }
    return named >= 0 ? named : (star >= 0 ? star : 0);
}

enum hub_pack_encoding hub_pack_negotiate(const char *accept_encoding)
{
    if (!accept_encoding)
        return HUB_PACK_IDENTITY;
    int gzip = coding_q(accept_encoding, "gzip");
    int deflate = coding_q(accept_encoding, "deflate");
    if (gzip > 0 && gzip >= deflate)
        return HUB_PACK_GZIP;
    if (deflate > 0)
        return HUB_PACK_DEFLATE;
    return HUB_PACK_IDENTITY;
}

const char *hub_pack_encoding_name(enum hub_pack_encoding enc)
{
    switch (enc) {
    case HUB_PACK_GZIP:
        return "gzip";
    case HUB_PACK_DEFLATE:
        return "deflate";
    default:
        return NULL;
    }
}

int hub_packer_create(int level, struct hub_packer **out)
{
    if (level < 1 || level > 9)
        return -EINVAL;
    struct hub_packer *p = calloc(1, sizeof *p);
    if (!p)
        return -ENOMEM;
    /* Raw deflate: the headers and trailers are each client's own. */
    if (deflateInit2(&p->z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(p);
        return -ENOMEM;
    }
    *out = p;
    return 0;
}

void hub_packer_destroy(struct hub_packer *p)
{
    if (!p)
        return;
    deflateEnd(&p->z);
    free(p->out);
    free(p);
}

struct pw_buf *hub_packer_pack(struct hub_packer *p, struct pw_buf *buf)
{
    if (buf->packed)
        return buf->packed;
    /* deflateBound() does not count the sync flush's empty stored block (5 bytes). */
    size_t need = deflateBound(&p->z, (uLong)buf->len) + 16;
    if (need > p->out_cap) {
        unsigned char *n = realloc(p->out, need);
        if (!n)
            return NULL;
        p->out = n;
        p->out_cap = need;
    }
    /* A fresh state per frame: nothing in this segment points back into another. */
    deflateReset(&p->z);
    p->z.next_in = (unsigned char *)buf->data;
    p->z.avail_in = (uInt)buf->len;
    p->z.next_out = p->out;
    p->z.avail_out = (uInt)p->out_cap;
    int rc = deflate(&p->z, Z_SYNC_FLUSH);
    if ((rc != Z_OK && rc != Z_BUF_ERROR) || p->z.avail_in != 0)
        return NULL;
    buf->packed = pw_buf_new(p->out, p->out_cap - p->z.avail_out);
    /* Once per frame, so that each client's share is a few multiplications. */
    buf->crc = crc32(0L, (const unsigned char *)buf->data, (uInt)buf->len);
    buf->adler = adler32(1L, (const unsigned char *)buf->data, (uInt)buf->len);
    buf->crc_op = crc32_combine_gen((z_off_t)buf->len);
    return buf->packed;
}

void hub_pack_stream_init(struct hub_pack_stream *s, enum hub_pack_encoding enc)
{
    *s = (struct hub_pack_stream){.enc = enc};
    s->check = enc == HUB_PACK_DEFLATE ? (uint32_t)adler32(0L, NULL, 0) : 0;
}

struct pw_buf *hub_pack_stream_header(const struct hub_pack_stream *s)
{
    /* gzip: magic, deflate, no flags, no mtime, no extra flags, OS unknown. zlib: 32 KiB
     * window, default level, check bits making the pair a multiple of 31. */
    static const unsigned char gzip[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
    static const unsigned char zlib[2] = {0x78, 0x9c};
    return s->enc == HUB_PACK_GZIP ? pw_buf_new(gzip, sizeof gzip) : pw_buf_new(zlib, sizeof zlib);
}

void hub_pack_stream_sent(struct hub_pack_stream *s, const struct pw_buf *buf)
{
    if (s->enc == HUB_PACK_GZIP)
        s->check = (uint32_t)crc32_combine_op(s->check, buf->crc, buf->crc_op);
    else
        s->check = (uint32_t)adler32_combine(s->check, buf->adler, (z_off_t)buf->len);
    s->size += (uint32_t)buf->len;
}

struct pw_buf *hub_pack_stream_trailer(const struct hub_pack_stream *s)
{
    /* A final, empty fixed-Huffman block (BFINAL=1, BTYPE=01, end-of-block): 10 bits. */
    unsigned char t[10] = {0x03, 0x00};
    size_t n = 2;
    if (s->enc == HUB_PACK_GZIP) {
        for (int i = 0; i < 4; i++)
            t[n++] = (unsigned char)(s->check >> (8 * i));
        for (int i = 0; i < 4; i++)
            t[n++] = (unsigned char)(s->size >> (8 * i));
    } else {
        for (int i = 3; i >= 0; i--)
            t[n++] = (unsigned char)(s->check >> (8 * i));
    }
    return pw_buf_new(t, n);
}
