#include "bus/kafka/kafka_stream.h"

#include "core/error.h"

#include <stdlib.h>
#include <string.h>

struct held_event {
    struct pw_event ev;
    struct pw_race_state *state; /* owned copy, or NULL */
    int64_t since_ms;
};

struct stream_race {
    bool used;
    char race_id[PW_RACE_ID_MAX];
    int64_t last_used_ms;
    bool has_meta;
    struct pw_race_meta meta;
    bool has_state;
    struct pw_race_state state; /* last known, for events that came without one */

    /* tick under assembly */
    bool asm_active;
    uint64_t asm_seq;
    int asm_n;
    uint32_t asm_mask;
    int64_t asm_ts;      /* legacy grouping: the timestamp of the group */
    int64_t asm_last_ms; /* when the last record came (legacy flush) */
    int64_t asm_wall_ms;
    struct pw_race_state asm_state;

    /* commentary waiting for the race's meta: owned array of KAFKA_STREAM_COMMENTS */
    struct held_event *comments;
    int n_comments;

    /* merge by seq */
    uint64_t next_seq;
    /* highest seq accepted from each topic that carries race events (positions, events):
     * a topic is read in order, so a seq below both that has not come never will */
    uint64_t carried[2];
    int n_held;
    /* sorted by seq; one slot more than the refusal threshold, for the completion of the
     * tick that was already being assembled */
    struct held_event held[KAFKA_STREAM_HOLD + 1];
};

struct kafka_stream {
    int64_t hold_ms;
    kafka_stream_deliver_fn deliver;
    void *ctx;
    const struct pw_log *log;
    struct kafka_stream_stats stats;
    struct stream_race *races; /* KAFKA_STREAM_RACES */
};

int kafka_stream_create(int64_t hold_ms, kafka_stream_deliver_fn deliver, void *ctx,
                        const struct pw_log *log, struct kafka_stream **out)
{
    if (!deliver || hold_ms < 0)
        return -EINVAL;
    struct kafka_stream *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    s->races = calloc(KAFKA_STREAM_RACES, sizeof *s->races);
    if (!s->races) {
        free(s);
        return -ENOMEM;
    }
    s->hold_ms = hold_ms;
    s->deliver = deliver;
    s->ctx = ctx;
    s->log = log;
    *out = s;
    return 0;
}

static void race_clear(struct stream_race *r)
{
    for (int i = 0; i < r->n_held; i++)
        free(r->held[i].state);
    free(r->comments);
    memset(r, 0, sizeof *r);
}

void kafka_stream_destroy(struct kafka_stream *s)
{
    if (!s)
        return;
    for (int i = 0; i < KAFKA_STREAM_RACES; i++)
        race_clear(&s->races[i]);
    free(s->races);
    free(s);
}

static struct stream_race *race_get(struct kafka_stream *s, const char *race_id, int64_t now)
{
    struct stream_race *victim = NULL, *fresh = NULL;
    for (int i = 0; i < KAFKA_STREAM_RACES; i++) {
        struct stream_race *r = &s->races[i];
        if (r->used && !strcmp(r->race_id, race_id)) {
            r->last_used_ms = now;
            return r;
        }
        if (!r->used && !fresh)
            fresh = r;
        if (r->used && (!victim || r->last_used_ms < victim->last_used_ms))
            victim = r;
    }
    if (!fresh) {
        PW_INFO(s->log, "kafka", "forgetting race %s to make room for %s", victim->race_id,
                race_id);
        race_clear(victim);
        s->stats.races_evicted++;
        fresh = victim;
    }
    fresh->used = true;
    snprintf(fresh->race_id, sizeof fresh->race_id, "%s", race_id);
    fresh->last_used_ms = now;
    fresh->next_seq = 1;
    return fresh;
}

static void deliver(struct kafka_stream *s, struct stream_race *r, struct pw_event *ev,
                    const struct pw_race_state *state)
{
    if (state && state != &r->state) {
        r->state = *state;
        r->has_state = true;
    }
    ev->state = state ? state : r->has_state ? &r->state : NULL;
    ev->meta = r->has_meta ? &r->meta : NULL;
    if (ev->type == PW_EV_POSITIONS)
        s->stats.ticks++;
    s->stats.events++;
    s->deliver(s->ctx, ev);
}

static void drain_held(struct kafka_stream *s, struct stream_race *r)
{
    while (r->n_held > 0 && r->held[0].ev.seq <= r->next_seq) {
        struct held_event h = r->held[0];
        memmove(&r->held[0], &r->held[1], (size_t)(r->n_held - 1) * sizeof r->held[0]);
        r->n_held--;
        if (h.ev.seq == r->next_seq) {
            r->next_seq++;
            deliver(s, r, &h.ev, h.state);
        } else {
            s->stats.duplicates++;
        }
        free(h.state);
    }
}

/* Gives up on the seqs missing before the first held event; `why` goes to the log. */
static void skip_gap(struct kafka_stream *s, struct stream_race *r, const char *why)
{
    if (r->n_held == 0)
        return;
    uint64_t missing = r->held[0].ev.seq - r->next_seq;
    s->stats.seq_gaps += missing;
    PW_WARN(s->log, "kafka", "race %s: seq %llu..%llu skipped: %s", r->race_id,
            (unsigned long long)r->next_seq, (unsigned long long)(r->held[0].ev.seq - 1), why);
    r->next_seq = r->held[0].ev.seq;
    drain_held(s, r);
}

static int hold(struct kafka_stream *s, struct stream_race *r, const struct pw_event *ev,
                const struct pw_race_state *state, int64_t now)
{
    int at = r->n_held;
    while (at > 0 && r->held[at - 1].ev.seq > ev->seq)
        at--;
    if (at > 0 && r->held[at - 1].ev.seq == ev->seq) {
        s->stats.duplicates++;
        return 0;
    }
    struct pw_race_state *copy = NULL;
    if (state) {
        copy = malloc(sizeof *copy);
        if (!copy)
            return -ENOMEM;
        *copy = *state;
    }
    if (r->n_held == KAFKA_STREAM_HOLD + 1) {
        /* full (the caller ignored PW_ELIMIT): make room the hard way */
        skip_gap(s, r, "no room to wait");
        free(copy);
        return PW_ELIMIT;
    }
    memmove(&r->held[at + 1], &r->held[at], (size_t)(r->n_held - at) * sizeof r->held[0]);
    r->held[at] = (struct held_event){*ev, copy, now};
    r->n_held++;
    return 0;
}

/* Delivers ev in seq order for its race. */
static int offer(struct kafka_stream *s, struct stream_race *r, struct pw_event *ev,
                 const struct pw_race_state *state, int64_t now)
{
    if (ev->seq == 0) { /* unnumbered (original app): nothing to order by */
        deliver(s, r, ev, state);
        return 0;
    }
    if (ev->seq < r->next_seq) {
        s->stats.duplicates++;
        return 0;
    }
    if (ev->seq == r->next_seq) {
        r->next_seq++;
        deliver(s, r, ev, state);
        drain_held(s, r);
        return 0;
    }
    int rc = hold(s, r, ev, state, now);
    if (rc == PW_ELIMIT) /* room was made by skipping: try again */
        return offer(s, r, ev, state, now);
    return rc;
}

/* Both topics have gone past the missing seqs: they were lost on the way in (a failed
 * delivery, an abandoned tick) and waiting cannot bring them. */
static void skip_certain_loss(struct kafka_stream *s, struct stream_race *r)
{
    uint64_t both = r->carried[0] < r->carried[1] ? r->carried[0] : r->carried[1];
    while (r->n_held > 0 && both >= r->held[0].ev.seq)
        skip_gap(s, r, "both topics have moved past them");
}

static void note_carried(struct stream_race *r, int topic, uint64_t seq)
{
    if (seq > r->carried[topic])
        r->carried[topic] = seq;
}

static void tick_finish(struct kafka_stream *s, struct stream_race *r, bool complete)
{
    struct pw_event ev;
    struct pw_race_state *st = &r->asm_state;
    r->asm_active = false;
    if (!complete && r->asm_seq != 0) {
        s->stats.ticks_incomplete++;
        PW_WARN(s->log, "kafka", "race %s: positions tick %llu incomplete (%d of %d cars)",
                r->race_id, (unsigned long long)r->asm_seq, __builtin_popcount(r->asm_mask),
                r->asm_n);
        return;
    }
    /* legacy groups may have holes in the running order: close them up */
    int n = 0;
    for (int i = 0; i < PW_MAX_CARS; i++) {
        if (r->asm_mask & (1u << i)) {
            if (n != i)
                st->cars[n] = st->cars[i];
            st->cars[n].position = n + 1;
            n++;
        }
    }
    st->n_cars = n;
    memset(&ev, 0, sizeof ev);
    ev.type = PW_EV_POSITIONS;
    snprintf(ev.race_id, sizeof ev.race_id, "%s", r->race_id);
    ev.seq = r->asm_seq;
    ev.race_ms = st->race_ms;
    ev.wall_ms = r->asm_wall_ms;
    ev.lap = st->lap;
    offer(s, r, &ev, st, r->asm_last_ms);
}

int kafka_stream_add_record(struct kafka_stream *s, const struct avro_positions_record *rec,
                            int64_t now_ms)
{
    if (!rec->race_id[0] || rec->car.position < 1 || rec->car.position > PW_MAX_CARS)
        return PW_ERANGE_IN;
    struct stream_race *r = race_get(s, rec->race_id, now_ms);
    uint32_t bit = 1u << (rec->car.position - 1);
    if (rec->seq != 0 && rec->seq < r->next_seq) {
        s->stats.duplicates++;
        return 0;
    }
    if (rec->seq > r->next_seq && r->n_held >= KAFKA_STREAM_HOLD &&
        !(r->asm_active && r->asm_seq == rec->seq)) {
        s->stats.refused++;
        return PW_ELIMIT;
    }
    note_carried(r, 0, rec->seq);
    if (r->asm_active) {
        bool same = rec->seq != 0
                        ? rec->seq == r->asm_seq
                        : r->asm_seq == 0 && rec->timestamp == r->asm_ts && !(r->asm_mask & bit);
        if (!same) {
            if (rec->seq != 0 && rec->seq < r->asm_seq) { /* a late record of an old tick */
                s->stats.duplicates++;
                return 0;
            }
            tick_finish(s, r, r->asm_seq == 0);
        }
    }
    if (!r->asm_active) {
        r->asm_active = true;
        r->asm_seq = rec->seq;
        r->asm_n = rec->n_cars;
        r->asm_mask = 0;
        r->asm_ts = rec->timestamp;
        r->asm_wall_ms = rec->server_ms ? rec->server_ms : rec->timestamp;
        memset(&r->asm_state, 0, sizeof r->asm_state);
    }
    struct pw_race_state *st = &r->asm_state;
    if (r->asm_mask & bit) {
        s->stats.duplicates++;
        return 0;
    }
    r->asm_mask |= bit;
    r->asm_last_ms = now_ms;
    st->cars[rec->car.position - 1] = rec->car;
    st->lap = rec->lap;
    st->total_laps = rec->total_laps;
    st->track = rec->track;
    st->race_ms = rec->race_ms;
    snprintf(st->fastest_number, sizeof st->fastest_number, "%s", rec->fastest_number);
    st->fastest_lap_ms = rec->fastest_lap_ms;
    st->started = rec->started;
    st->finished = rec->race_finished;
    snprintf(st->circuit, sizeof st->circuit, "%s", rec->circuit);
    snprintf(st->session, sizeof st->session, "%s", rec->session);
    st->kind = rec->kind;
    st->clock_ms = rec->clock_ms;
    st->clock_running = rec->clock_running;
    st->session_part = rec->session_part;
    st->cutoff_position = rec->cutoff_position;
    st->weather_known = rec->rain_chance >= 0;
    st->rain_chance = st->weather_known ? rec->rain_chance : 0;
    st->raining = rec->raining;
    st->track_wetness = rec->track_wetness;
    st->penalties_known = rec->penalties_known;
    st->damage_known = rec->damage_known;
    if (r->asm_seq != 0 && r->asm_n > 0 && r->asm_mask == (1u << r->asm_n) - 1u)
        tick_finish(s, r, true);
    skip_certain_loss(s, r);
    return 0;
}

static void deliver_comment(struct kafka_stream *s, struct stream_race *r, struct pw_event *ev)
{
    ev->state = NULL;
    ev->meta = r->has_meta ? &r->meta : NULL;
    s->stats.events++;
    s->deliver(s->ctx, ev);
}

/* Delivers the oldest `n` waiting commentary lines. */
static void flush_comments(struct kafka_stream *s, struct stream_race *r, int n)
{
    for (int i = 0; i < n; i++)
        deliver_comment(s, r, &r->comments[i].ev);
    memmove(&r->comments[0], &r->comments[n], (size_t)(r->n_comments - n) * sizeof r->comments[0]);
    r->n_comments -= n;
}

int kafka_stream_add_event(struct kafka_stream *s, const struct pw_event *ev,
                           const struct pw_race_meta *meta, const struct pw_race_state *state,
                           int64_t now_ms)
{
    if (!ev->race_id[0])
        return PW_ERANGE_IN;
    struct stream_race *r = race_get(s, ev->race_id, now_ms);
    struct pw_event copy = *ev;
    if (!pw_event_is_commentary(ev->type) && ev->seq > r->next_seq &&
        r->n_held >= KAFKA_STREAM_HOLD) {
        s->stats.refused++;
        return PW_ELIMIT;
    }
    if (meta) {
        r->meta = *meta;
        r->has_meta = true;
    }
    if (pw_event_is_commentary(ev->type)) {
        if (r->has_meta) {
            deliver_comment(s, r, &copy);
            return 0;
        }
        if (!r->comments) {
            r->comments = calloc(KAFKA_STREAM_COMMENTS, sizeof *r->comments);
            if (!r->comments) {
                deliver_comment(s, r, &copy);
                return 0;
            }
        }
        if (r->n_comments == KAFKA_STREAM_COMMENTS)
            flush_comments(s, r, 1); /* bounded: the oldest goes on without meta */
        r->comments[r->n_comments++] = (struct held_event){copy, NULL, now_ms};
        return 0;
    }
    note_carried(r, 1, ev->seq);
    int rc = offer(s, r, &copy, state, now_ms);
    skip_certain_loss(s, r);
    if (r->has_meta && r->n_comments > 0)
        flush_comments(s, r, r->n_comments);
    return rc;
}

void kafka_stream_expire(struct kafka_stream *s, int64_t now_ms,
                         kafka_stream_caught_up_fn caught_up, void *ctx)
{
    for (int i = 0; i < KAFKA_STREAM_RACES; i++) {
        struct stream_race *r = &s->races[i];
        if (!r->used)
            continue;
        if (r->asm_active && r->asm_seq == 0 &&
            now_ms - r->asm_last_ms >= KAFKA_STREAM_LEGACY_FLUSH_MS)
            tick_finish(s, r, true);
        /* Waited long enough, and (when the caller can tell) the consumer has since read
         * everything Kafka had for the race: the missing seqs are not coming. */
        while (r->n_held > 0 && now_ms - r->held[0].since_ms >= s->hold_ms &&
               (!caught_up || caught_up(ctx, r->race_id) >= r->held[0].since_ms + s->hold_ms))
            skip_gap(s, r, "not in Kafka after waiting");
        int late = 0;
        int64_t comment_wait =
            s->hold_ms < KAFKA_STREAM_COMMENT_WAIT_MS ? s->hold_ms : KAFKA_STREAM_COMMENT_WAIT_MS;
        while (late < r->n_comments && now_ms - r->comments[late].since_ms >= comment_wait)
            late++;
        if (late)
            flush_comments(s, r, late);
    }
}

void kafka_stream_restart_clocks(struct kafka_stream *s, int64_t now_ms)
{
    for (int i = 0; i < KAFKA_STREAM_RACES; i++) {
        struct stream_race *r = &s->races[i];
        for (int k = 0; r->used && k < r->n_held; k++)
            r->held[k].since_ms = now_ms;
        for (int k = 0; r->used && k < r->n_comments; k++)
            r->comments[k].since_ms = now_ms;
        if (r->used && r->asm_active)
            r->asm_last_ms = now_ms;
    }
}

bool kafka_stream_overdue(const struct kafka_stream *s, int64_t now_ms)
{
    for (int i = 0; i < KAFKA_STREAM_RACES; i++) {
        const struct stream_race *r = &s->races[i];
        if (r->used && r->n_held > 0 && now_ms - r->held[0].since_ms >= s->hold_ms)
            return true;
    }
    return false;
}

bool kafka_stream_has_room(const struct kafka_stream *s, const char *race_id)
{
    for (int i = 0; i < KAFKA_STREAM_RACES; i++) {
        const struct stream_race *r = &s->races[i];
        if (r->used && !strcmp(r->race_id, race_id))
            return r->n_held < KAFKA_STREAM_HOLD / 2;
    }
    return true;
}

bool kafka_stream_pending(const struct kafka_stream *s)
{
    for (int i = 0; i < KAFKA_STREAM_RACES; i++) {
        if (s->races[i].used &&
            (s->races[i].n_held > 0 || s->races[i].asm_active || s->races[i].n_comments > 0))
            return true;
    }
    return false;
}

void kafka_stream_get_stats(const struct kafka_stream *s, struct kafka_stream_stats *out)
{
    *out = s->stats;
}
