/* bench_replay — how fast a whole archive session replays.
 *
 * usage: bench_replay [-r RUNS] SESSION_DIR...
 * For each session, RUNS times (default 20), and prints the median and best in ms:
 *   open      read every topic file, index the lines, find lights out and the end;
 *   replay    open + advance to the end in one call (every line parsed and merged,
 *             every event emitted): "as fast as possible";
 *   ticks     open + advance in 100 ms race-clock ticks, reading state() each tick as a
 *             runner does;
 *   seek      from the end back to mid-race (a full re-merge from the start). */
#include "replay/replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void count_event(void *ctx, const struct pw_event *ev)
{
    (void)ev;
    (*(unsigned long *)ctx)++;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static struct pw_source *open_or_die(const char *dir)
{
    struct pw_source *src;
    char err[512];
    if (replay_open(dir, NULL, NULL, &src, err, sizeof err) < 0) {
        fprintf(stderr, "bench_replay: %s\n", err);
        exit(1);
    }
    return src;
}

int main(int argc, char **argv)
{
    int runs = 20, first = 1;
    if (argc > 2 && strcmp(argv[1], "-r") == 0) {
        runs = atoi(argv[2]);
        first = 3;
    }
    if (first >= argc || runs < 1 || runs > 1000) {
        fprintf(stderr, "usage: bench_replay [-r RUNS] SESSION_DIR...\n");
        return 2;
    }
    double *t[4];
    for (int k = 0; k < 4; k++)
        t[k] = calloc((size_t)runs, sizeof(double));
    printf("%-48s %8s %8s %10s %9s %9s %9s %9s\n", "session", "lines", "events", "open ms",
           "replay ms", "best ms", "ticks ms", "seek ms");
    for (int a = first; a < argc; a++) {
        unsigned long events = 0;
        struct replay_stats rs = {0};
        for (int r = 0; r < runs; r++) {
            double t0 = now_ms();
            struct pw_source *src = open_or_die(argv[a]);
            t[0][r] = now_ms() - t0;
            events = 0;
            src->ops->advance(src, src->ops->duration_ms(src), count_event, &events);
            t[1][r] = now_ms() - t0;
            replay_get_stats(src, &rs);
            double t1 = now_ms();
            src->ops->seek(src, src->ops->duration_ms(src) / 2);
            t[3][r] = now_ms() - t1;
            src->ops->destroy(src);

            t0 = now_ms();
            src = open_or_die(argv[a]);
            unsigned long ev2 = 0;
            int rc = 0;
            for (int64_t ms = 0; rc == 0; ms += 100) {
                rc = src->ops->advance(src, ms, count_event, &ev2);
                if (src->ops->state(src)->n_cars < 0)
                    abort();
            }
            t[2][r] = now_ms() - t0;
            src->ops->destroy(src);
        }
        for (int k = 0; k < 4; k++)
            qsort(t[k], (size_t)runs, sizeof(double), by_value);
        const char *name = strlen(argv[a]) > 48 ? argv[a] + strlen(argv[a]) - 48 : argv[a];
        printf("%-48s %8llu %8lu %10.1f %9.1f %9.1f %9.1f %9.1f\n", name,
               (unsigned long long)rs.lines_read, events, t[0][runs / 2], t[1][runs / 2], t[1][0],
               t[2][runs / 2], t[3][runs / 2]);
    }
    printf("(median of %d runs; 'best' is the fastest full replay)\n", runs);
    for (int k = 0; k < 4; k++)
        free(t[k]);
    return 0;
}
