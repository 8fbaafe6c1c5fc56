/* standalone.c — the driver a fuzz target gets when it is built without libFuzzer (gcc,
 * the ctest runs): every seed of its corpus, then `n` deterministic mutations of each
 * (bit flips, the target's own tokens inserted, ranges deleted or duplicated, truncation,
 * digits), fed to its LLVMFuzzerTestOneInput. Same inputs on every machine. */
#include "standalone.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_next(uint64_t *s)
{
    /* xorshift64*: small, deterministic, good enough to pick mutations */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

/* Applies 1..4 random edits to buf (len, capacity cap); returns the new length. */
static size_t mutate(const struct fuzz_target *tk, uint8_t *buf, size_t len, size_t cap,
                     uint64_t *rng)
{
    int edits = 1 + (int)(rng_next(rng) % 4);
    for (int e = 0; e < edits; e++) {
        size_t at = len ? rng_next(rng) % (len + 1) : 0;
        switch (rng_next(rng) % 6) {
        case 0: /* flip a bit */
            if (len)
                buf[at % len] ^= (uint8_t)(1u << (rng_next(rng) % 8));
            break;
        case 1: { /* insert a token */
            const char *t = tk->tokens[rng_next(rng) % tk->n];
            size_t tl = strlen(t) ? strlen(t) : 1;
            if (len + tl > cap)
                break;
            memmove(buf + at + tl, buf + at, len - at);
            memcpy(buf + at, t, tl);
            len += tl;
            break;
        }
        case 2: { /* delete a range */
            size_t n = len - at ? rng_next(rng) % (len - at) % 64 : 0;
            memmove(buf + at, buf + at + n, len - at - n);
            len -= n;
            break;
        }
        case 3: { /* duplicate a range */
            size_t n = len - at ? rng_next(rng) % (len - at) % 256 : 0;
            if (len + n > cap)
                break;
            memmove(buf + at + n, buf + at, len - at);
            len += n;
            break;
        }
        case 4: /* truncate */
            len = at;
            break;
        default: /* overwrite a byte with a digit: offsets and numbers */
            if (len)
                buf[at % len] = (uint8_t)('0' + rng_next(rng) % 10);
            break;
        }
    }
    return len;
}

static int load(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 16, n = 0;
    uint8_t *b = malloc(cap);
    size_t r;
    while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            uint8_t *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                b = NULL;
            }
            b = nb;
        }
    }
    fclose(f);
    *out = b;
    *len = n;
    return b ? 0 : -1;
}

static int run_file(const struct fuzz_target *tk, const char *name, const char *path,
                    unsigned mutations, uint64_t *runs)
{
    uint8_t *seed;
    size_t len;
    if (load(path, &seed, &len) < 0) {
        fprintf(stderr, "%s: cannot read %s\n", name, path);
        return -1;
    }
    LLVMFuzzerTestOneInput(seed, len);
    (*runs)++;
    size_t cap = len * 2 + 4096;
    uint8_t *buf = malloc(cap);
    uint64_t rng = 0x9E3779B97F4A7C15ULL ^ len;
    for (const char *p = path; *p; p++)
        rng = (rng ^ (uint8_t)*p) * 0x100000001B3ULL;
    for (unsigned i = 0; buf && i < mutations; i++) {
        memcpy(buf, seed, len);
        size_t n = mutate(tk, buf, len, cap, &rng);
        /* chain: sometimes mutate the mutated input again */
        if (rng_next(&rng) % 3 == 0)
            n = mutate(tk, buf, n, cap, &rng);
        LLVMFuzzerTestOneInput(buf, n);
        (*runs)++;
    }
    free(buf);
    free(seed);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

int main(int argc, char **argv)
{
    const struct fuzz_target *tk = &fuzz_target;
    const char *name = tk->name;
    unsigned mutations = 200;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "-n") == 0) {
        mutations = (unsigned)strtoul(argv[2], NULL, 10);
        first = 3;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: %s [-n MUTATIONS] CORPUS_DIR|FILE...\n", name);
        return 2;
    }
    uint64_t runs = 0;
    int files = 0;
    for (int i = first; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (!d) {
            if (run_file(tk, name, argv[i], mutations, &runs) < 0)
                return 1;
            files++;
            continue;
        }
        /* sorted, so that runs are the same everywhere */
        char names[256][256];
        int n = 0;
        struct dirent *de;
        while ((de = readdir(d)) != NULL && n < 256) {
            if (de->d_name[0] != '.')
                snprintf(names[n++], sizeof names[0], "%s", de->d_name);
        }
        closedir(d);
        qsort(names, (size_t)n, sizeof names[0], by_name);
        for (int k = 0; k < n; k++) {
            char path[1024];
            int pl = snprintf(path, sizeof path, "%s/%s", argv[i], names[k]);
            if (pl < 0 || (size_t)pl >= sizeof path || run_file(tk, name, path, mutations, &runs) < 0)
                return 1;
            files++;
        }
    }
    printf("%s: %d seeds, %llu inputs run, no crash\n", name, files, (unsigned long long)runs);
    return files > 0 ? 0 : 1;
}
