/* bench_compress — what compressing a stream costs per client and what it saves.
 *
 * Input: a recorded combined stream (SSE text, uncompressed), split into frames. For N
 * simulated clients it measures, over every frame of the recording:
 *   stream-zN   one zlib deflate stream per client (level N), a sync flush after each frame:
 *               the best ratio (the dictionary spans frames), CPU and memory per client;
 *   stream-brQ  the same with one brotli encoder per client (quality Q), a flush per frame;
 *   shared-zN   pitwall's way (src/hub/packer.c): each frame compressed once, on its own,
 *               for all clients; per client only the CRC bookkeeping.
 * It prints bytes per frame, ratio to the plain bytes, CPU per client-tick (a tick = one
 * positions frame with the frames around it) and the encoder state each client keeps.
 * Usage: bench_compress RECORDING.sse [--clients N] */
#include "hub/packer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>
#ifdef HAVE_BROTLI
#include <brotli/encode.h>
#endif

struct frames {
    struct pw_buf **f;
    size_t n, ticks, bytes;
};

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int load(const char *path, struct frames *out)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *text = malloc((size_t)len + 1);
    if (!text || fread(text, 1, (size_t)len, fp) != (size_t)len) {
        fclose(fp);
        free(text);
        return -1;
    }
    fclose(fp);
    text[len] = '\0';
    *out = (struct frames){0};
    size_t cap = 0;
    for (char *p = text, *end; (end = strstr(p, "\n\n")) != NULL; p = end + 2) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 1024;
            out->f = realloc(out->f, cap * sizeof *out->f);
        }
        struct pw_buf *b = pw_buf_new(p, (size_t)(end + 2 - p));
        out->f[out->n++] = b;
        out->bytes += b->len;
        out->ticks += strstr(b->data, "event: delta\n") || strstr(b->data, "event: positions\n");
    }
    free(text);
    return out->n && out->ticks ? 0 : -1;
}

static void report(const char *name, const struct frames *fr, size_t out_bytes, double cpu,
                   int clients, size_t state_bytes)
{
    double per_client_tick_us = cpu * 1e6 / ((double)clients * (double)fr->ticks);
    printf(
        "%-12s %9.0f B/frame  ratio %5.2f  %8.3f us CPU per client-tick  %7zu B state per client\n",
        name, (double)out_bytes / (double)fr->n, (double)fr->bytes / (double)out_bytes,
        per_client_tick_us, state_bytes);
}

static int run_stream_zlib(const struct frames *fr, int clients, int level, int wbits, int mem)
{
    z_stream *zs = calloc((size_t)clients, sizeof *zs);
    unsigned char *out = malloc(1 << 20);
    size_t total = 0;
    if (!zs || !out)
        return -1;
    for (int c = 0; c < clients; c++)
        deflateInit2(&zs[c], level, Z_DEFLATED, 16 + wbits, mem, Z_DEFAULT_STRATEGY);
    double t0 = cpu_s();
    for (size_t i = 0; i < fr->n; i++) {
        for (int c = 0; c < clients; c++) {
            zs[c].next_in = (unsigned char *)fr->f[i]->data;
            zs[c].avail_in = (uInt)fr->f[i]->len;
            zs[c].next_out = out;
            zs[c].avail_out = 1 << 20;
            deflate(&zs[c], Z_SYNC_FLUSH);
            if (c == 0)
                total += (1 << 20) - zs[c].avail_out;
        }
    }
    double cpu = cpu_s() - t0;
    for (int c = 0; c < clients; c++)
        deflateEnd(&zs[c]);
    char name[32];
    snprintf(name, sizeof name, wbits == 15 ? "stream-z%d" : "stream-z%d-w%d", level, wbits);
    /* zlib.h: deflate needs (1 << (windowBits+2)) + (1 << (memLevel+9)) bytes. */
    report(name, fr, total, cpu, clients, ((size_t)1 << (wbits + 2)) + ((size_t)1 << (mem + 9)));
    free(zs);
    free(out);
    return 0;
}

#ifdef HAVE_BROTLI
static int run_stream_brotli(const struct frames *fr, int clients, int quality)
{
    BrotliEncoderState **bs = calloc((size_t)clients, sizeof *bs);
    size_t total = 0;
    if (!bs)
        return -1;
    for (int c = 0; c < clients; c++) {
        bs[c] = BrotliEncoderCreateInstance(NULL, NULL, NULL);
        BrotliEncoderSetParameter(bs[c], BROTLI_PARAM_QUALITY, (uint32_t)quality);
        BrotliEncoderSetParameter(bs[c], BROTLI_PARAM_LGWIN, 18);
    }
    double t0 = cpu_s();
    for (size_t i = 0; i < fr->n; i++) {
        for (int c = 0; c < clients; c++) {
            size_t avail_in = fr->f[i]->len, avail_out = 0;
            const uint8_t *in = (const uint8_t *)fr->f[i]->data;
            BrotliEncoderCompressStream(bs[c], BROTLI_OPERATION_FLUSH, &avail_in, &in, &avail_out,
                                        NULL, NULL);
            size_t got = 0;
            while (BrotliEncoderHasMoreOutput(bs[c])) {
                size_t n = 0;
                BrotliEncoderTakeOutput(bs[c], &n);
                got += n;
            }
            if (c == 0)
                total += got;
        }
    }
    double cpu = cpu_s() - t0;
    for (int c = 0; c < clients; c++)
        BrotliEncoderDestroyInstance(bs[c]);
    char name[32];
    snprintf(name, sizeof name, "stream-br%d", quality);
    /* The ring buffer alone is 2^lgwin; hash tables come on top (not counted). */
    report(name, fr, total, cpu, clients, (size_t)1 << 18);
    free(bs);
    return 0;
}
#endif

static int run_shared(const struct frames *fr, int clients, int level)
{
    struct hub_packer *p;
    if (hub_packer_create(level, &p) < 0)
        return -1;
    struct hub_pack_stream *ps = calloc((size_t)clients, sizeof *ps);
    if (!ps)
        return -1;
    for (int c = 0; c < clients; c++)
        hub_pack_stream_init(&ps[c], HUB_PACK_GZIP);
    size_t total = 10; /* the gzip header */
    double once = 0, t0 = cpu_s();
    for (size_t i = 0; i < fr->n; i++) {
        double t1 = cpu_s();
        struct pw_buf *z = hub_packer_pack(p, fr->f[i]); /* once per frame */
        once += cpu_s() - t1;
        total += z->len;
        for (int c = 0; c < clients; c++)
            hub_pack_stream_sent(&ps[c], fr->f[i]);
    }
    double cpu = cpu_s() - t0;
    char name[32];
    snprintf(name, sizeof name, "shared-z%d", level);
    report(name, fr, total, cpu, clients, sizeof(struct hub_pack_stream));
    printf("%-12s of which compressing each frame once: %.1f us per tick\n", "",
           once * 1e6 / (double)fr->ticks);
    /* Drop the segments so the next level compresses afresh. */
    for (size_t i = 0; i < fr->n; i++) {
        pw_buf_unref(fr->f[i]->packed);
        fr->f[i]->packed = NULL;
    }
    free(ps);
    hub_packer_destroy(p);
    return 0;
}

int main(int argc, char **argv)
{
    int clients = 100;
    if (argc < 2) {
        fprintf(stderr, "usage: bench_compress RECORDING.sse [--clients N]\n");
        return 1;
    }
    if (argc >= 4 && strcmp(argv[2], "--clients") == 0)
        clients = atoi(argv[3]);
    if (clients < 1)
        clients = 1;
    struct frames fr;
    if (load(argv[1], &fr) < 0) {
        fprintf(stderr, "bench_compress: no SSE frames with positions in %s\n", argv[1]);
        return 1;
    }
    printf("bench_compress: %zu frames, %zu positions ticks, %zu bytes plain (%.0f B/frame), "
           "%d clients\n",
           fr.n, fr.ticks, fr.bytes, (double)fr.bytes / (double)fr.n, clients);
    /* Per-connection encoders cost the same per client at any count: a few hundred are
     * enough to measure them. The shared way runs at the full count. */
    int few = clients < 50 ? clients : 50;
    printf("per-connection encoders measured with %d clients, shared with %d\n", few, clients);
    for (int level = 1; level <= 9; level += level == 1 ? 5 : 3) {
        run_stream_zlib(&fr, few, level, 15, 8);
        run_shared(&fr, clients, level);
    }
    /* A small window: the per-client state a 4 KB-per-viewer budget could afford. */
    run_stream_zlib(&fr, few, 6, 9, 1);
#ifdef HAVE_BROTLI
    run_stream_brotli(&fr, few, 4);
    run_stream_brotli(&fr, few, 9);
#endif
    for (size_t i = 0; i < fr.n; i++)
        pw_buf_unref(fr.f[i]);
    free(fr.f);
    return 0;
}
