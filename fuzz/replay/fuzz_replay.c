/* fuzz_replay.c — fuzz target for the archive reader, the deep merge and the race model.
 *
 * Input: the text of a session's topic files, one after the other, each introduced by a
 * line "@@<Topic>" (text before the first such line is TimingData; unknown topic names are
 * dropped, as in a session directory). The target builds a replay from it and drives it
 * like a runner would: forwards, a seek back, to the end; it traps if an invariant of the
 * race state breaks (running order, car count).
 *
 * Built two ways: with the standalone main() below (default, gcc, a ctest over the seed
 * corpus and deterministic mutations of it), or with clang -fsanitize=fuzzer, which brings
 * its own main (define PITWALL_LIBFUZZER). See docs/REPLAY.md. */
#include "replay/replay.h"
#include "replay/replay_feed.h"
#include "replay/replay_source.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_stats {
    uint64_t events;
};

static void check_state(const struct pw_race_state *s)
{
    if (s->n_cars < 0 || s->n_cars > PW_MAX_CARS)
        __builtin_trap();
    for (int i = 0; i < s->n_cars; i++) {
        if (s->cars[i].position != i + 1 || s->cars[i].driver.number[PW_NUMBER_MAX - 1] != '\0')
            __builtin_trap();
    }
}

static void fuzz_emit(void *ctx, const struct pw_event *ev)
{
    struct fuzz_stats *st = ctx;
    st->events++;
    if (ev->type <= PW_EV_NONE || ev->type >= PW_EV_TYPE_COUNT || !ev->state)
        __builtin_trap();
    if (memchr(ev->text, '\0', sizeof ev->text) == NULL)
        __builtin_trap();
    check_state(ev->state);
}

/* Splits the input into topic texts (pointers into `data`). */
static void split_topics(const char *data, size_t size, const char *texts[REPLAY_TOPIC_COUNT],
                         size_t lens[REPLAY_TOPIC_COUNT])
{
    int topic = REPLAY_TOPIC_TIMING_DATA;
    size_t start = 0, pos = 0;
    while (pos <= size) {
        bool header = pos + 2 <= size && data[pos] == '@' && data[pos + 1] == '@' &&
                      (pos == 0 || data[pos - 1] == '\n');
        if (header || pos == size) {
            if (topic >= 0 && !texts[topic]) {
                texts[topic] = data + start;
                lens[topic] = pos - start;
            }
            if (pos == size)
                break;
            const char *nl = memchr(data + pos, '\n', size - pos);
            size_t end = nl ? (size_t)(nl - data) : size;
            char name[32];
            size_t n = end - pos - 2;
            enum replay_topic t;
            topic = -1;
            if (n < sizeof name) {
                memcpy(name, data + pos + 2, n);
                name[n] = '\0';
                if (replay_topic_parse(name, &t) == 0)
                    topic = (int)t;
            }
            pos = start = nl ? end + 1 : size;
            continue;
        }
        const char *nl = memchr(data + pos, '\n', size - pos);
        pos = nl ? (size_t)(nl - data) + 1 : size;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *texts[REPLAY_TOPIC_COUNT] = {0};
    size_t lens[REPLAY_TOPIC_COUNT] = {0};
    split_topics((const char *)data, size, texts, lens);
    struct replay_feed feed;
    if (replay_feed_open_buffers(&feed, texts, lens, 4096, NULL) < 0)
        return 0;
    struct replay_options o;
    replay_options_defaults(&o);
    o.start_ms = -60000;
    struct pw_source *src;
    if (replay_source_from_feed(&feed, &o, NULL, &src) < 0)
        return 0;
    struct fuzz_stats st = {0};
    int64_t d = src->ops->duration_ms(src);
    if (d < 0)
        __builtin_trap();
    src->ops->advance(src, d / 3, fuzz_emit, &st);
    check_state(src->ops->state(src));
    src->ops->seek(src, d / 5);
    check_state(src->ops->state(src));
    if (src->ops->advance(src, d, fuzz_emit, &st) != 1)
        __builtin_trap();
    check_state(src->ops->state(src));
    struct replay_stats rs;
    replay_get_stats(src, &rs);
    src->ops->destroy(src);
    return 0;
}

#ifndef PITWALL_LIBFUZZER
/* ---- standalone driver: every seed, then `n` deterministic mutations of each ---- */

static uint64_t rng_next(uint64_t *s)
{
    /* xorshift64*: small, deterministic, good enough to pick mutations */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static const char *const tokens[] = {
    "{",
    "}",
    "[",
    "]",
    "\"",
    ":",
    ",",
    "0",
    "1",
    "99",
    "-1",
    "null",
    "true",
    "\r\n",
    "\n",
    "\"_kf\":true,",
    "\"_deleted\":[\"0\",\"Position\"],",
    "{\"0\":{}}",
    "\"Lines\":",
    "\"Position\":\"1\"",
    "\"Stints\":{\"1\":{\"Compound\":\"SOFT\"}}",
    "\"InPit\":true",
    "\"Retired\":true",
    "\"NumberOfLaps\":99",
    "\"Status\":\"4\"",
    "\"Status\":\"Started\"",
    "00:00:00.000",
    "99:59:59.999",
    "\"+1:02.345\"",
    "\"1 L\"",
    "\"LAP 3\"",
    "@@TimingData\n",
    "@@TimingAppData\n",
    "@@LapCount\n",
    "@@SessionStatus\n",
    "@@RaceControlMessages\n",
    "\xEF\xBB\xBF",
    "\xC3",
    "\x00",
};

/* Applies 1..4 random edits to buf (len, capacity cap); returns the new length. */
static size_t mutate(uint8_t *buf, size_t len, size_t cap, uint64_t *rng)
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
            const char *t = tokens[rng_next(rng) % (sizeof tokens / sizeof *tokens)];
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

static int run_file(const char *path, unsigned mutations, uint64_t *runs)
{
    uint8_t *seed;
    size_t len;
    if (load(path, &seed, &len) < 0) {
        fprintf(stderr, "fuzz_replay: cannot read %s\n", path);
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
        size_t n = mutate(buf, len, cap, &rng);
        /* chain: sometimes mutate the mutated input again */
        if (rng_next(&rng) % 3 == 0)
            n = mutate(buf, n, cap, &rng);
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
    unsigned mutations = 200;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "-n") == 0) {
        mutations = (unsigned)strtoul(argv[2], NULL, 10);
        first = 3;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: fuzz_replay [-n MUTATIONS] CORPUS_DIR|FILE...\n");
        return 2;
    }
    uint64_t runs = 0;
    int files = 0;
    for (int i = first; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (!d) {
            if (run_file(argv[i], mutations, &runs) < 0)
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
            if (pl < 0 || (size_t)pl >= sizeof path || run_file(path, mutations, &runs) < 0)
                return 1;
            files++;
        }
    }
    printf("fuzz_replay: %d seeds, %llu inputs run, no crash\n", files, (unsigned long long)runs);
    return files > 0 ? 0 : 1;
}
#endif
