/* Property tests of the race simulator over many seeds, its determinism whatever the tick
 * schedule, and the podium promise. Every emitted event's state is checked. */
#include "core/error.h"
#include "race/circuit.h"
#include "race/grid.h"
#include "race/sim.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define SEEDS 1000
#define MAX_PENDING 512

/* What the checker remembers across the events of one race. */
struct check {
    const struct race_sim_options *opt;
    int n;
    int64_t last_ms;
    int laps[PW_MAX_CARS + 1000]; /* by racing number */
    int once[PW_EV_TYPE_COUNT];
    int events;
    bool classified;
    bool hashing; /* hash every event and state (slow: only where determinism is tested) */
    uint64_t hash;
    /* podium bookkeeping */
    int sel_pos;
    bool last_gain_pass;  /* the picked driver's last place gained was an on-track pass */
    bool sel_ahead[1000]; /* by racing number: was ahead of the picked driver */
    int passes_in_lap[RACE_SIM_MAX_LAPS + 2];
    int64_t pit_ms[1000][8]; /* pit in/out times by number, for place changes */
    int n_pit[1000];
    int pending_car[MAX_PENDING]; /* places the picked driver gained without an overtake */
    int64_t pending_ms[MAX_PENDING];
    int n_pending;
    int tyres_seen[1000]; /* bit per compound, by number */
    int laps_done[1000];  /* last lap_completed seen, by number */
    bool pitting[1000];   /* between pit_in and pit_out, by number */
    int64_t fastest;
    int final_pos;
    int start_pos;
    /* safety car bunching: P10's gap when the SC came out, and when it went in */
    enum pw_track_status track;
    int64_t sc_gap_start;
    int sc_periods, sc_bunched;
    int lapped_finishers;
    int failures;
    char why[256];
};

static void check_fail(struct check *ck, const char *what, const struct pw_event *ev)
{
    if (ck->failures++ == 0)
        snprintf(ck->why, sizeof ck->why, "seed %llu: %s (event %s at %lld ms)",
                 (unsigned long long)ck->opt->seed, what, pw_event_type_name(ev->type),
                 (long long)ev->race_ms);
}

static void check_hash(struct check *ck, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        ck->hash = (ck->hash ^ b[i]) * 0x100000001B3ull;
}

/* Hash the event and the whole state field by field (padding bytes are not data). */
static void check_hash_event(struct check *ck, const struct pw_event *ev)
{
    char line[512];
    int n = snprintf(line, sizeof line, "%d %lld %d %s %s %d %d %d %lld %s %s %d %lld %lld",
                     ev->type, (long long)ev->race_ms, ev->lap, ev->car, ev->other, ev->position,
                     ev->tyre, ev->track, (long long)ev->lap_ms, ev->race_id, ev->id, (int)ev->seq,
                     (long long)ev->wall_ms, (long long)(ev->meta != NULL));
    check_hash(ck, line, (size_t)n);
    const struct pw_race_state *st = ev->state;
    n = snprintf(line, sizeof line, "%d %d %d %s %lld %d %d", st->lap, st->total_laps, st->track,
                 st->fastest_number, (long long)st->fastest_lap_ms, st->started, st->finished);
    check_hash(ck, line, (size_t)n);
    for (int i = 0; i < st->n_cars; i++) {
        const struct pw_car *c = &st->cars[i];
        n = snprintf(line, sizeof line,
                     "%s %d %d %lld %d %lld %d %lld %lld %d %lld %lld %lld %d %d %d %d %d %d %d",
                     c->driver.number, c->position, c->laps, (long long)c->gap_ms, c->gap_laps,
                     (long long)c->interval_ms, c->interval_laps, (long long)c->last_lap_ms,
                     (long long)c->best_lap_ms, c->best_lap_no, (long long)c->sectors_ms[0],
                     (long long)c->sectors_ms[1], (long long)c->sectors_ms[2], c->tyre, c->tyre_age,
                     c->tyre_new, c->pit_stops, c->in_pit, c->retired, c->finished);
        check_hash(ck, line, (size_t)n);
    }
}

static int check_num(const char *number)
{
    return atoi(number);
}

static void check_state(struct check *ck, const struct pw_event *ev)
{
    const struct pw_race_state *st = ev->state;
    bool seen[1000] = {false};
    if (st->n_cars != ck->n)
        check_fail(ck, "car count changed", ev);
    for (int i = 0; i < st->n_cars; i++) {
        const struct pw_car *c = &st->cars[i];
        int num = check_num(c->driver.number);
        if (num <= 0 || num >= 1000 || seen[num])
            check_fail(ck, "running order is not a permutation", ev);
        else
            seen[num] = true;
        if (c->position != i + 1)
            check_fail(ck, "position != index + 1", ev);
        if (c->laps < ck->laps[num])
            check_fail(ck, "lap count went down", ev);
        ck->laps[num] = c->laps;
        if (i == 0) {
            if (c->gap_ms != 0 || c->interval_ms != 0 || c->gap_laps != 0)
                check_fail(ck, "leader has a gap", ev);
            continue;
        }
        const struct pw_car *a = &st->cars[i - 1];
        if (c->gap_ms < a->gap_ms || c->gap_laps < a->gap_laps)
            check_fail(ck, "gap to leader decreases down the order", ev);
        if (c->interval_ms != c->gap_ms - a->gap_ms)
            check_fail(ck, "interval inconsistent with gaps", ev);
        if (c->interval_laps < 0 || c->interval_laps > c->gap_laps)
            check_fail(ck, "interval laps out of range", ev);
        if (a->retired && !c->retired)
            check_fail(ck, "a retired car ahead of a running one", ev);
    }
}

static void check_podium(struct check *ck, const struct pw_event *ev)
{
    const struct pw_race_state *st = ev->state;
    int sel = pw_state_find_car(st, ck->opt->selected_number);
    int pos = sel + 1;
    if (ev->type == PW_EV_OVERTAKE && strcmp(ev->car, ck->opt->selected_number) == 0) {
        /* The lap the pass happened on: at the finish line it is the lap just completed. */
        const struct pw_car *me = &st->cars[sel];
        bool at_finish = me->sectors_ms[0] && me->sectors_ms[1] && me->sectors_ms[2];
        int lap = at_finish ? me->laps : me->laps + 1;
        /* Past the usual bound only while too far back for it: the place given up, ev->position
         * + 1, is further behind even P1 than the usual bound a lap brings in the laps after
         * this one. */
        int laps_after = st->total_laps - lap;
        bool charge = ev->position > RACE_SIM_PODIUM_MAX_PASSES * (laps_after > 0 ? laps_after : 0);
        int bound = charge ? RACE_SIM_PODIUM_CHARGE_PASSES : RACE_SIM_PODIUM_MAX_PASSES;
        if (++ck->passes_in_lap[lap] > bound)
            check_fail(ck, "picked driver passed more cars in a lap than the bound", ev);
    }
    /* Every car that fell from ahead of the picked driver to behind it was overtaken on
     * track, retired, or was making a pit stop (checked at the end against pit times). */
    for (int i = sel + 1; i < st->n_cars; i++) {
        const struct pw_car *c = &st->cars[i];
        int num = check_num(c->driver.number);
        if (!ck->sel_ahead[num] || c->retired || c->in_pit)
            continue;
        bool overtaken = ev->type == PW_EV_OVERTAKE &&
                         strcmp(ev->car, ck->opt->selected_number) == 0 &&
                         strcmp(ev->other, c->driver.number) == 0;
        if (!overtaken && ck->n_pending < MAX_PENDING) {
            ck->pending_car[ck->n_pending] = num;
            ck->pending_ms[ck->n_pending++] = ev->race_ms;
        }
    }
    for (int i = 0; i < st->n_cars; i++)
        ck->sel_ahead[check_num(st->cars[i].driver.number)] = i < sel;
    if (pos < ck->sel_pos)
        ck->last_gain_pass =
            ev->type == PW_EV_OVERTAKE && strcmp(ev->car, ck->opt->selected_number) == 0;
    ck->sel_pos = pos;
}

static void check_event(void *ctx, const struct pw_event *ev)
{
    struct check *ck = ctx;
    ck->events++;
    if (ck->hashing)
        check_hash_event(ck, ev);
    if (!ev->state) {
        check_fail(ck, "event without state", ev);
        return;
    }
    if (ev->race_ms < ck->last_ms)
        check_fail(ck, "race clock went backwards", ev);
    ck->last_ms = ev->race_ms;
    if (ev->type == PW_EV_POSITIONS || ev->type <= PW_EV_NONE || ev->type >= PW_EV_TYPE_COUNT ||
        ev->race_id[0] || ev->seq || ev->wall_ms || ev->meta)
        check_fail(ck, "event a source must not emit or must leave zero", ev);
    if (ck->classified)
        check_fail(ck, "event after the classification", ev);
    if (ck->events == 1 && ev->type != PW_EV_LIGHTS_OUT)
        check_fail(ck, "first event is not lights out", ev);
    switch (ev->type) {
    case PW_EV_LIGHTS_OUT:
    case PW_EV_FINAL_LAP:
    case PW_EV_CHEQUERED:
    case PW_EV_CLASSIFICATION:
        if (ck->once[ev->type]++)
            check_fail(ck, "one-off event emitted twice", ev);
        break;
    default:
        break;
    }
    if (ev->type == PW_EV_LIGHTS_OUT && ev->race_ms != 0)
        check_fail(ck, "lights out not at 0", ev);
    if (ev->type == PW_EV_CHEQUERED && !ck->once[PW_EV_FINAL_LAP])
        check_fail(ck, "chequered flag without a final lap", ev);
    check_state(ck, ev);
    int i = ev->car[0] ? pw_state_find_car(ev->state, ev->car) : -1;
    const struct pw_car *c = i >= 0 ? &ev->state->cars[i] : NULL;
    if (ev->car[0] && !c)
        check_fail(ck, "event names a car not in the race", ev);
    int num = ev->car[0] ? check_num(ev->car) : 0;
    if (ev->type == PW_EV_LAP_COMPLETED && num < 1000 && ev->lap != ++ck->laps_done[num])
        check_fail(ck, "a lap completed twice or skipped", ev);
    if (ev->type == PW_EV_FASTEST_LAP) {
        if ((ck->fastest && ev->lap_ms >= ck->fastest) || ev->lap < 2 ||
            ev->state->fastest_lap_ms != ev->lap_ms ||
            strcmp(ev->state->fastest_number, ev->car) != 0)
            check_fail(ck, "fastest lap not faster, or not in the state", ev);
        ck->fastest = ev->lap_ms;
    }
    if ((ev->type == PW_EV_PIT_IN || ev->type == PW_EV_PIT_OUT) && num < 1000) {
        if (ck->pitting[num] != (ev->type == PW_EV_PIT_OUT))
            check_fail(ck, "pit in and pit out do not alternate", ev);
        ck->pitting[num] = ev->type == PW_EV_PIT_IN;
        if (c && c->in_pit != ck->pitting[num])
            check_fail(ck, "in_pit flag disagrees with the pit events", ev);
    }
    if (ev->type == PW_EV_LAP_COMPLETED && c) {
        int64_t sum = c->sectors_ms[0] + c->sectors_ms[1] + c->sectors_ms[2];
        if (sum != ev->lap_ms || c->last_lap_ms != ev->lap_ms || ev->lap != c->laps ||
            ev->lap_ms <= 0)
            check_fail(ck, "sectors do not add up to the lap", ev);
    }
    if (ev->type == PW_EV_OVERTAKE && c &&
        (ev->position != i + 1 || !ev->other[0] ||
         pw_state_find_car(ev->state, ev->other) != i + 1))
        check_fail(ck, "overtake does not match the order", ev);
    if ((ev->type == PW_EV_PIT_IN || ev->type == PW_EV_PIT_OUT) && num < 1000 && ck->n_pit[num] < 8)
        ck->pit_ms[num][ck->n_pit[num]++] = ev->race_ms;
    if (ev->type == PW_EV_PIT_OUT && c) {
        if (ev->tyre < PW_TYRE_SOFT || ev->tyre > PW_TYRE_HARD || c->tyre != ev->tyre ||
            c->tyre_age != 0 || c->in_pit)
            check_fail(ck, "pit out without fresh dry tyres", ev);
        ck->tyres_seen[num] |= 1 << ev->tyre;
    }
    if (ev->type == PW_EV_TRACK_STATUS && ev->track != ev->state->track)
        check_fail(ck, "track status event disagrees with the state", ev);
    enum pw_track_status tr = ev->state->track;
    if (ev->type == PW_EV_OVERTAKE &&
        (tr == PW_TRACK_SC || tr == PW_TRACK_VSC || tr == PW_TRACK_VSC_ENDING))
        check_fail(ck, "an overtake under a safety car or VSC", ev);
    if (ev->type == PW_EV_TRACK_STATUS) {
        const struct pw_car *p10 = &ev->state->cars[9];
        if (tr == PW_TRACK_SC)
            ck->sc_gap_start = p10->retired || p10->gap_laps ? -1 : p10->gap_ms;
        if (ck->track == PW_TRACK_SC && tr != PW_TRACK_SC && ck->sc_gap_start > 20000 &&
            !p10->retired && !p10->gap_laps) {
            ck->sc_periods++;
            ck->sc_bunched += p10->gap_ms < 15000;
        }
        ck->track = tr;
    }
    if (ev->type == PW_EV_RETIREMENT && c &&
        (!c->retired || ev->position < 1 || ev->position > ev->state->n_cars))
        check_fail(ck, "retirement event without a retired car", ev);
    if (ck->opt->podium && ck->opt->selected_number)
        check_podium(ck, ev);
    if (ev->type == PW_EV_CLASSIFICATION) {
        ck->classified = true;
        for (int k = 0; k < ev->state->n_cars; k++) {
            const struct pw_car *f = &ev->state->cars[k];
            if (f->finished == f->retired)
                check_fail(ck, "classified car neither finished nor retired (or both)", ev);
        }
        if (ev->state->cars[0].laps != ev->state->total_laps || !ev->state->finished)
            check_fail(ck, "winner did not complete the distance", ev);
        if (ck->opt->selected_number && ck->opt->selected_number[0])
            ck->final_pos = pw_state_find_car(ev->state, ck->opt->selected_number) + 1;
        for (int k = 0; k < ev->state->n_cars; k++) {
            const struct pw_car *f = &ev->state->cars[k];
            if (f->finished && f->gap_laps > 0) {
                ck->lapped_finishers++;
                if (f->laps + f->gap_laps != ev->state->total_laps)
                    check_fail(ck, "a lapped finisher's laps and laps down disagree", ev);
            }
        }
    }
}

/* Runs one race to the end advancing by `step` ms (0: random steps). Returns the source's
 * final advance code; the checker holds the rest. */
static int run_race(const struct race_sim_options *opt, int64_t step, struct check *ck)
{
    struct pw_source *src = NULL;
    bool hashing = ck->hashing;
    memset(ck, 0, sizeof *ck);
    ck->hashing = hashing;
    ck->opt = opt;
    ck->n = opt->grid->n;
    ck->hash = 0xCBF29CE484222325ull;
    ck->last_ms = 0;
    int rc = race_sim_create(opt, &src);
    if (rc != 0)
        return rc;
    const struct pw_race_state *st = src->ops->state(src);
    for (int i = 0; i < st->n_cars; i++)
        ck->tyres_seen[check_num(st->cars[i].driver.number)] = 1 << st->cars[i].tyre;
    if (opt->selected_number && opt->selected_number[0]) {
        int sel = pw_state_find_car(st, opt->selected_number);
        ck->start_pos = sel + 1;
        ck->sel_pos = sel + 1;
        for (int i = 0; i < sel; i++)
            ck->sel_ahead[check_num(st->cars[i].driver.number)] = true;
    }
    int64_t duration = src->ops->duration_ms(src);
    uint64_t r = opt->seed * 2654435761u + 1;
    int64_t t = 0;
    rc = 0;
    for (int guard = 0; rc == 0 && guard < 10000000; guard++) {
        rc = src->ops->advance(src, t, check_event, ck);
        if (step > 0) {
            t += step;
        } else {
            r = r * 6364136223846793005ull + 1442695040888963407ull;
            t += (int64_t)((r >> 33) % 60000);
        }
    }
    if (rc == 1 && ck->last_ms != duration)
        ck->failures++, snprintf(ck->why, sizeof ck->why, "duration_ms %lld != end %lld",
                                 (long long)duration, (long long)ck->last_ms);
    src->ops->destroy(src);
    return rc;
}

static bool check_pitted_near(const struct check *ck, int num, int64_t at, int64_t lap_ms)
{
    for (int k = 0; k < ck->n_pit[num]; k++) {
        if (at > ck->pit_ms[num][k] - lap_ms && at < ck->pit_ms[num][k] + 2 * lap_ms)
            return true;
    }
    return false;
}

/* A place gained without an overtake must come from a pit stop: the other car's, or the
 * picked driver's own (coming out of the pits ahead). */
static void check_pending(struct check *ck, int64_t lap_ms)
{
    int me = atoi(ck->opt->selected_number);
    for (int i = 0; i < ck->n_pending; i++) {
        int num = ck->pending_car[i];
        bool pit = check_pitted_near(ck, num, ck->pending_ms[i], lap_ms) ||
                   check_pitted_near(ck, me, ck->pending_ms[i], lap_ms);
        if (!pit && ck->failures++ == 0)
            snprintf(ck->why, sizeof ck->why,
                     "seed %llu: picked driver gained a place on #%d at %lld ms without an "
                     "overtake, a retirement or a pit stop",
                     (unsigned long long)ck->opt->seed, num, (long long)ck->pending_ms[i]);
    }
}

static void seed_options(uint64_t seed, const struct pw_grid *g, struct race_circuit *c,
                         struct race_sim_options *opt, bool podium)
{
    assert_int_equal(
        race_circuit_builtin_at((int)(seed % (uint64_t)race_circuit_count_builtin()), c), 0);
    memset(opt, 0, sizeof *opt);
    opt->grid = g;
    opt->circuit = c;
    opt->seed = seed;
    opt->selected_number = g->drivers[seed % (uint64_t)g->n].number;
    opt->podium = podium;
    /* Mostly short races to keep a thousand quick; every tenth at full distance. */
    opt->laps = seed % 10 == 0 ? 0 : 10 + (int)(seed % 23);
}

/* One test's races: the 2026 grid, a circuit and options picked by seed_options, and the
 * checker (large, so on the heap). */
struct trial {
    struct pw_grid g;
    struct race_circuit c;
    struct race_sim_options opt;
    struct check ck;
};

static struct trial *trial_new(void)
{
    struct trial *tr = calloc(1, sizeof *tr);
    assert_non_null(tr);
    assert_int_equal(race_grid_load_builtin("2026", &tr->g), 0);
    return tr;
}

/* The race of `seed` run to its end by `step` (run_race), `laps` long (SEED_LAPS: as
 * seed_options picks); the checker then holds what it saw. */
#define SEED_LAPS (-1)
static void trial_run(struct trial *tr, uint64_t seed, bool podium, int laps, int64_t step)
{
    seed_options(seed, &tr->g, &tr->c, &tr->opt, podium);
    if (laps != SEED_LAPS)
        tr->opt.laps = laps;
    assert_int_equal(run_race(&tr->opt, step, &tr->ck), 1);
}

static void test_properties_podium_on(void **state)
{
    (void)state;
    struct trial *tr = trial_new();
    int finish[PW_MAX_CARS + 1] = {0};
    int bad = 0;
    for (uint64_t seed = 0; seed < SEEDS; seed++) {
        trial_run(tr, seed, true, SEED_LAPS, 7000);
        check_pending(&tr->ck, tr->c.lap_ms);
        if (tr->ck.start_pos < 5 || tr->ck.start_pos > 10)
            fail_msg("seed %llu: picked driver starts P%d", (unsigned long long)seed,
                     tr->ck.start_pos);
        if (tr->ck.final_pos < 1 || tr->ck.final_pos > 3) {
            print_error("seed %llu (%s, %d laps, #%s from P%d): picked driver finished P%d\n",
                        (unsigned long long)seed, tr->c.id, tr->opt.laps, tr->opt.selected_number,
                        tr->ck.start_pos, tr->ck.final_pos);
            bad++;
        }
        if (tr->ck.failures) {
            print_error("%s\n", tr->ck.why);
            bad++;
        }
        finish[tr->ck.final_pos]++;
    }
    assert_int_equal(bad, 0);
    /* The podium is the promise, not always the win. */
    assert_true(finish[1] > 0 && finish[2] > 0 && finish[3] > 0);
    print_message("podium mode: P1 %d, P2 %d, P3 %d of %d\n", finish[1], finish[2], finish[3],
                  SEEDS);
    free(tr);
}

static void test_properties_podium_off(void **state)
{
    (void)state;
    struct trial *tr = trial_new();
    int finish[PW_MAX_CARS + 1] = {0};
    int two_compounds = 0, full_races = 0, retired = 0;
    int sc_periods = 0, sc_bunched = 0, lapped = 0;
    for (uint64_t seed = 0; seed < SEEDS; seed++) {
        trial_run(tr, seed + 5000, false, SEED_LAPS, 0);
        if (tr->ck.failures)
            fail_msg("%s", tr->ck.why);
        finish[tr->ck.final_pos]++;
        if (tr->opt.laps == 0) {
            /* A Grand Prix: every finisher used two dry compounds. */
            full_races++;
            int ok = 1;
            for (int i = 0; i < tr->g.n; i++) {
                int seen = tr->ck.tyres_seen[atoi(tr->g.drivers[i].number)];
                if ((seen & (seen - 1)) == 0 &&
                    tr->ck.laps[atoi(tr->g.drivers[i].number)] == tr->c.laps)
                    ok = 0;
            }
            two_compounds += ok;
        }
        retired += tr->ck.laps[atoi(tr->opt.selected_number)] <
                   (tr->opt.laps ? tr->opt.laps : tr->c.laps) - 1;
        sc_periods += tr->ck.sc_periods;
        sc_bunched += tr->ck.sc_bunched;
        lapped += tr->ck.lapped_finishers;
    }
    print_message("safety cars that found P10 over 20 s behind the leader: %d, P10 within 15 s "
                  "when it went in: %d; lapped finishers: %d\n",
                  sc_periods, sc_bunched, lapped);
    /* The field bunches behind the safety car. */
    assert_true(sc_periods > 50);
    assert_true(sc_bunched >= sc_periods * 9 / 10);
    assert_true(lapped > SEEDS / 10);
    int places = 0, podiums = finish[1] + finish[2] + finish[3];
    for (int p = 1; p <= tr->g.n; p++)
        places += finish[p] > 0;
    print_message("podium off: picked driver finished in %d different places, on the podium "
                  "%d times in %d\n",
                  places, podiums, SEEDS);
    assert_true(places >= tr->g.n - 1);
    assert_true(podiums < SEEDS / 3);
    assert_true(finish[tr->g.n] + finish[tr->g.n - 1] + finish[tr->g.n - 2] > SEEDS / 50);
    assert_int_equal(two_compounds, full_races);
    assert_true(retired > 0 && retired < SEEDS / 5);
    free(tr);
}

/* The original app's odds: P1 40%, P2 35%, P3 25% over many races, the place most often
 * won by a pass on track. Grand Prix distance (the default) and sprint lengths, every
 * circuit, a different picked driver each time. */
static void podium_odds(const char *what, int races, uint64_t seed0, bool sprint)
{
    struct trial *tr = trial_new();
    int finish[PW_MAX_CARS + 1] = {0};
    int won_by_pass = 0;
    for (int r = 0; r < races; r++) {
        uint64_t seed = seed0 + (uint64_t)r;
        trial_run(tr, seed, true, sprint ? 10 + (int)(seed % 16) : 0, 9000);
        check_pending(&tr->ck, tr->c.lap_ms);
        if (tr->ck.failures)
            fail_msg("%s", tr->ck.why);
        if (tr->ck.final_pos < 1 || tr->ck.final_pos > 3)
            fail_msg("seed %llu: picked driver finished P%d", (unsigned long long)seed,
                     tr->ck.final_pos);
        finish[tr->ck.final_pos]++;
        won_by_pass += tr->ck.last_gain_pass;
    }
    double p1 = 100.0 * finish[1] / races, p2 = 100.0 * finish[2] / races,
           p3 = 100.0 * finish[3] / races, pass = 100.0 * won_by_pass / races;
    print_message("podium odds, %s, %d races: P1 %.1f%%, P2 %.1f%%, P3 %.1f%%; final place won "
                  "by a pass on track in %.1f%%\n",
                  what, races, p1, p2, p3, pass);
    assert_true(p1 > 35.0 && p1 < 45.0);
    assert_true(p2 > 30.0 && p2 < 40.0);
    assert_true(p3 > 20.0 && p3 < 30.0);
    assert_true(pass > 55.0);
    free(tr);
}

static void test_podium_odds_grand_prix(void **state)
{
    (void)state;
    podium_odds("Grand Prix distance", 400, 20000, false);
}

static void test_podium_odds_sprint(void **state)
{
    (void)state;
    podium_odds("10-25 laps", 400, 30000, true);
}

/* The promise holds in short races too, the starting place moving forward as they shrink. */
static void test_podium_short_races(void **state)
{
    (void)state;
    struct trial *tr = trial_new();
    int bad = 0;
    for (int laps = 1; laps <= 9; laps++) {
        for (uint64_t seed = 0; seed < 120; seed++) {
            trial_run(tr, seed * 7 + (uint64_t)laps, true, laps, 2000);
            check_pending(&tr->ck, tr->c.lap_ms);
            if (tr->ck.start_pos < 5 || tr->ck.final_pos > 3 || tr->ck.failures) {
                print_error("%d laps, seed %llu (%s, #%s from P%d): P%d %s\n", laps,
                            (unsigned long long)tr->opt.seed, tr->c.id, tr->opt.selected_number,
                            tr->ck.start_pos, tr->ck.final_pos, tr->ck.failures ? tr->ck.why : "");
                bad++;
            }
        }
    }
    assert_int_equal(bad, 0);
    free(tr);
}

static void test_same_stream_any_tick(void **state)
{
    (void)state;
    struct trial *tr = trial_new();
    static const int64_t steps[] = {100, 1000, 30000, 0, 3600000};
    uint64_t other_seed_hash = 0;
    for (uint64_t seed = 40; seed < 50; seed++) {
        seed_options(seed, &tr->g, &tr->c, &tr->opt, seed % 2 == 0);
        tr->opt.laps = 0;
        uint64_t hash = 0;
        int events = 0;
        tr->ck.hashing = true;
        for (size_t k = 0; k < sizeof steps / sizeof *steps; k++) {
            assert_int_equal(run_race(&tr->opt, steps[k], &tr->ck), 1);
            if (tr->ck.failures)
                fail_msg("%s", tr->ck.why);
            if (k == 0) {
                hash = tr->ck.hash;
                events = tr->ck.events;
            } else if (tr->ck.hash != hash || tr->ck.events != events) {
                fail_msg("seed %llu: step %lld gives a different stream (%d events vs %d)",
                         (unsigned long long)seed, (long long)steps[k], tr->ck.events, events);
            }
        }
        assert_true(events > 200);
        assert_true(hash != other_seed_hash);
        other_seed_hash = hash;
    }
    free(tr);
}

static void test_original_grid_and_options(void **state)
{
    (void)state;
    struct pw_grid g;
    struct pw_source *src = NULL;
    static struct check ck;
    assert_int_equal(race_grid_load_builtin("original", &g), 0);
    struct race_sim_options opt = {.grid = &g, .seed = 7, .selected_number = "44", .podium = true};
    assert_int_equal(run_race(&opt, 5000, &ck), 1);
    if (ck.failures)
        fail_msg("%s", ck.why);
    assert_true(ck.final_pos >= 1 && ck.final_pos <= 3);

    opt.selected_number = "99";
    assert_int_equal(race_sim_create(&opt, &src), -EINVAL);
    opt.selected_number = NULL;
    opt.laps = RACE_SIM_MAX_LAPS + 1;
    assert_int_equal(race_sim_create(&opt, &src), PW_ERANGE_IN);
    opt.laps = -3;
    assert_int_equal(race_sim_create(&opt, &src), PW_ERANGE_IN);
    opt.grid = NULL;
    assert_int_equal(race_sim_create(&opt, &src), -EINVAL);
    assert_null(src);
    opt.laps = 0;
    struct pw_grid bad = g;
    opt.grid = &bad;
    strcpy(bad.drivers[3].number, bad.drivers[2].number);
    assert_int_equal(race_sim_create(&opt, &src), PW_ERANGE_IN);
    bad = g;
    bad.rating[0] = 101;
    assert_int_equal(race_sim_create(&opt, &src), PW_ERANGE_IN);
    struct race_circuit odd;
    assert_int_equal(race_circuit_load_builtin("spa", &odd), 0);
    opt.grid = &g;
    opt.circuit = &odd;
    odd.sector_pct[2] = 0;
    assert_int_equal(race_sim_create(&opt, &src), PW_ERANGE_IN);
    assert_int_equal(race_circuit_load_builtin("spa", &odd), 0);
    odd.lap_ms = 0;
    assert_int_equal(race_sim_create(&opt, &src), PW_ERANGE_IN);
    assert_null(src);
    opt.circuit = NULL;

    /* Before lights out: the grid, nobody has a lap; advancing backwards is harmless. */
    opt.grid = &g;
    opt.laps = 3;
    assert_int_equal(race_sim_create(&opt, &src), 0);
    const struct pw_race_state *st = src->ops->state(src);
    assert_int_equal(st->n_cars, 10);
    assert_false(st->started);
    assert_int_equal(src->ops->advance(src, -5, check_event, &ck), 0);
    assert_false(src->ops->state(src)->started);
    assert_true(src->ops->duration_ms(src) > 3 * 70000);
    assert_int_equal(src->ops->advance(src, INT64_MAX / 2, NULL, NULL), 1);
    assert_int_equal(src->ops->advance(src, INT64_MAX / 2, NULL, NULL), 1);
    assert_true(src->ops->state(src)->finished);
    src->ops->destroy(src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_original_grid_and_options),
        cmocka_unit_test(test_same_stream_any_tick),
        cmocka_unit_test(test_podium_short_races),
        cmocka_unit_test(test_podium_odds_grand_prix),
        cmocka_unit_test(test_podium_odds_sprint),
        cmocka_unit_test(test_properties_podium_on),
        cmocka_unit_test(test_properties_podium_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
