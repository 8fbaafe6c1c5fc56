/* fuzz_replay.c — fuzz target for the archive reader, the deep merge and the race model.
 *
 * Input: the text of a session's topic files, one after the other, each introduced by a
 * line "@@<Topic>" (text before the first such line is TimingData; unknown topic names are
 * dropped, as in a session directory). The target builds a replay from it and drives it
 * like a runner would: forwards, a seek back, to the end; it traps if an invariant of the
 * race state breaks (running order, car count).
 *
 * Built two ways: with the standalone driver (fuzz/standalone.c: default, gcc, a ctest over
 * the seed corpus and deterministic mutations of it), or with clang -fsanitize=fuzzer, which
 * brings its own main (define PITWALL_LIBFUZZER). See docs/REPLAY.md. */
#include "replay/replay.h"
#include "replay/replay_feed.h"
#include "replay/replay_source.h"
#include "standalone.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
/* Tokens the standalone driver's mutations insert (fuzz/standalone.c). */
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

FUZZ_TARGET("fuzz_replay", tokens);
#endif
