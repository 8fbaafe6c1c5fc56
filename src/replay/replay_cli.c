/* replay_cli.c — `pitwall-replay`: look into an archive session while debugging.
 *
 *   pitwall-replay [-e] [-t RACE_MS] SESSION_DIR   replay to RACE_MS (default: the end),
 *                                                  printing events with -e, then the board
 *   pitwall-replay -l ARCHIVE_ROOT                  list the sessions found under a root
 */
#include "replay/replay.h"

#include "core/event.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void print_event(void *ctx, const struct pw_event *ev)
{
    (void)ctx;
    printf("%9.3f lap %2d %-14s", (double)ev->race_ms / 1000.0, ev->lap,
           pw_event_type_name(ev->type));
    if (ev->car[0])
        printf(" car %s", ev->car);
    if (ev->other[0])
        printf(" other %s", ev->other);
    if (ev->position)
        printf(" P%d", ev->position);
    if (ev->lap_ms)
        printf(" %" PRId64 "ms", ev->lap_ms);
    if (ev->type == PW_EV_PIT_OUT)
        printf(" %s", pw_tyre_name(ev->tyre));
    if (ev->type == PW_EV_TRACK_STATUS)
        printf(" %s", pw_track_name(ev->track));
    if (ev->text[0])
        printf(" \"%s\"", ev->text);
    printf("\n");
}

static void print_board(const struct pw_race_state *st)
{
    printf("%s %s, lap %d/%d, track %s, race %.3f s%s\n", st->circuit, st->session, st->lap,
           st->total_laps, pw_track_name(st->track), (double)st->race_ms / 1000.0,
           st->finished ? ", finished" : "");
    if (pw_session_is_timed(st->kind))
        printf("%s, part %d, clock %lld.%03lld s%s, cut-off P%d\n", pw_session_kind_name(st->kind),
               st->session_part, (long long)(st->clock_ms / 1000), (long long)(st->clock_ms % 1000),
               st->clock_running ? " running" : " stopped", st->cutoff_position);
    for (int i = 0; i < st->n_cars; i++) {
        const struct pw_car *c = &st->cars[i];
        char gap[24];
        if (c->gap_laps)
            snprintf(gap, sizeof gap, "+%d L", c->gap_laps);
        else
            snprintf(gap, sizeof gap, "+%.3f", (double)c->gap_ms / 1000.0);
        printf("%2d %3s %-3s %-22s laps %2d gap %-9s last %6.3f best %6.3f %-6s age %2d%s "
               "stops %d%s%s%s\n",
               c->position, c->driver.number, c->driver.tla, c->driver.name, c->laps, gap,
               (double)c->last_lap_ms / 1000.0, (double)c->best_lap_ms / 1000.0,
               pw_tyre_name(c->tyre), c->tyre_age, c->tyre_new ? " new" : "", c->pit_stops,
               c->in_pit ? " PIT" : "", c->retired ? " OUT" : "", c->finished ? " FIN" : "");
        if (pw_session_is_timed(st->kind))
            printf("   parts %.3f %.3f %.3f out in %d, best sectors %.3f %.3f %.3f, stints %d, "
                   "deleted %d\n",
                   (double)c->part_best_ms[0] / 1000.0, (double)c->part_best_ms[1] / 1000.0,
                   (double)c->part_best_ms[2] / 1000.0, c->knocked_out_part,
                   (double)c->best_sectors_ms[0] / 1000.0, (double)c->best_sectors_ms[1] / 1000.0,
                   (double)c->best_sectors_ms[2] / 1000.0, c->stints, c->deleted_laps);
    }
}

static int list(const char *root)
{
    struct replay_session_info items[64];
    int n = 0;
    int rc = replay_list_sessions(root, items, 64, &n);
    if (rc < 0) {
        fprintf(stderr, "pitwall-replay: cannot list %s: %s\n", root, strerror(-rc));
        return 1;
    }
    for (int i = 0; i < n; i++)
        printf("%s\t%s\t%d laps\t%s\n", items[i].title, pw_session_kind_name(items[i].kind),
               items[i].laps, items[i].id);
    return 0;
}

int main(int argc, char **argv)
{
    bool events = false, until_end = true;
    int64_t at = 0;
    int opt;
    while ((opt = getopt(argc, argv, "et:l:")) != -1) {
        switch (opt) {
        case 'e':
            events = true;
            break;
        case 't':
            at = strtoll(optarg, NULL, 10);
            until_end = false;
            break;
        case 'l':
            return list(optarg);
        default:
            goto usage;
        }
    }
    if (optind != argc - 1)
        goto usage;
    struct pw_log log = {.level = PW_LOG_WARN, .out = stderr};
    struct replay_options o;
    replay_options_defaults(&o);
    o.start_ms = -3600 * 1000; /* so that -e shows the build-up too */
    struct pw_source *src;
    char err[512];
    if (replay_open(argv[optind], &o, &log, &src, err, sizeof err) < 0) {
        fprintf(stderr, "pitwall-replay: %s\n", err);
        return 1;
    }
    int64_t target = until_end ? src->ops->duration_ms(src) : at;
    int rc = src->ops->advance(src, target, events ? print_event : NULL, NULL);
    if (rc < 0)
        fprintf(stderr, "pitwall-replay: replay failed: %d\n", rc);
    print_board(src->ops->state(src));
    struct replay_stats s;
    replay_get_stats(src, &s);
    printf("lines %" PRIu64 ", skipped: json %" PRIu64 " offset %" PRIu64 " long %" PRIu64
           ", unknown numbers %" PRIu64 ", out of order %" PRIu64 ", merge ignored %" PRIu64 "\n",
           s.lines_read, s.lines_skipped_invalid_json, s.lines_skipped_bad_offset,
           s.lines_skipped_too_long, s.unknown_racing_numbers, s.out_of_order, s.merge_ignored);
    src->ops->destroy(src);
    return rc < 0 ? 1 : 0;
usage:
    fprintf(stderr, "usage: pitwall-replay [-e] [-t RACE_MS] SESSION_DIR | -l ARCHIVE_ROOT\n");
    return 2;
}
