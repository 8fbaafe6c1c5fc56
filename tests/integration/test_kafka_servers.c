/* Kafka mode with the real binary against a real Apache Kafka broker (the kafka_env ctest
 * fixture, tools/kafka/kafka_env.sh; schema registry: the FAKE one there). Shows docs/KAFKA.md's
 * end-to-end claims: a race started on one edge runs on a race runner and streams
 * identically from two edge servers; an edge started mid-race catches up to the right
 * state; the broker killed and restarted mid-race costs connected clients no event. And
 * the telemetry topic (docs/TELEMETRY.md): the runner writes the cars' readings, every edge finds
 * the same anomalies in them, and poison records on the topic are skipped and counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/token.h"
#include "api_json.h"

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *env_dir;
static char bootstrap[256], registry[256];

static int read_env(void)
{
    char path[512], line[256];
    snprintf(path, sizeof path, "%s/env", env_dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "KAFKA_BOOTSTRAP=", 16) == 0)
            snprintf(bootstrap, sizeof bootstrap, "%s", line + 16);
        if (strncmp(line, "SCHEMA_REGISTRY_URL=", 20) == 0)
            snprintf(registry, sizeof registry, "%s", line + 20);
    }
    fclose(f);
    return bootstrap[0] && registry[0] ? 0 : -1;
}

static int env_cmd(const char *cmd)
{
    char line[1024];
    snprintf(line, sizeof line, "bash %s/tools/kafka/kafka_env.sh %s %s", PITWALL_SOURCE_DIR, cmd,
             env_dir);
    return system(line);
}

/* A config in the original app's shape, with topics and groups of this run's own (a group
 * left by an earlier run would hold a rebalance until its members time out). */
static void make_config(char *out, size_t len, const char *name)
{
    char tag[64];
    snprintf(tag, sizeof tag, "%s-%d", name, (int)getpid());
    snprintf(out, len,
             "kafka:\n"
             "  bootstrap.servers: \"%s\"\n"
             "  schema_registry_url: \"%s\"\n"
             "  topic_partitions: 3\n"
             "  topics:\n"
             "    positions: \"it-%s-positions\"\n"
             "    commentary: \"it-%s-commentary\"\n"
             "    events: \"it-%s-events\"\n"
             "    control: \"it-%s-control\"\n"
             "    telemetry: \"it-%s-telemetry\"\n"
             "  consumer_group: \"it-%s\"\n"
             /* shorter than the default, so that giving up too early on a missing event (a
              * partition slow to return after the broker restart) would show; longer than
              * a producer's retry after the restart */
             "  hold_ms: 10000\n",
             bootstrap, registry, tag, tag, tag, tag, tag, tag);
}

/* A server with every role and an edge-only one with `edge_args` (NULL: just --role edge),
 * both on config `yaml`. */
static void start_all_and_edge(const char *yaml, const char *const *edge_args,
                               struct server *all, struct server *edge)
{
    static const char *const edge_only[] = {"--role", "edge", NULL};
    assert_int_equal(server_start(all, yaml, NULL, NULL), 0);
    assert_int_equal(server_start(edge, yaml, edge_args ? edge_args : edge_only, NULL), 0);
}

/* api_start_race's id, malloc'd. */
static char *start_race(int port, const char *body)
{
    char id[64];
    api_start_race(port, body, id, sizeof id);
    return strdup(id);
}

/* Frames of a combined stream, split by producer: race frames (positions, race) in their
 * R order, and commentary frames in C order; status/end frames are derived, not kept. */
struct seen {
    int n_race, n_comm;
    unsigned long r[8192], c[1024];
    char *race_data[8192];
    char *comm_data[1024];
    bool ended;
};

static void seen_free(struct seen *s)
{
    for (int i = 0; i < s->n_race; i++)
        free(s->race_data[i]);
    for (int i = 0; i < s->n_comm; i++)
        free(s->comm_data[i]);
    memset(s, 0, sizeof *s);
}

/* Keeps a frame's counter and data by stream; stops at `end`. */
static bool on_seen_frame(void *ctx, const struct sse_frame *f)
{
    struct seen *s = ctx;
    unsigned long r = 0, c = 0;
    if (strcmp(f->event, "end") == 0)
        s->ended = true;
    else if (f->id[0] && sscanf(f->id, "%lu-%lu", &r, &c) == 2) {
        if (strcmp(f->event, "commentary") == 0 && s->n_comm < 1024) {
            s->c[s->n_comm] = c;
            s->comm_data[s->n_comm++] = strdup(f->data);
        } else if ((strcmp(f->event, "positions") == 0 || strcmp(f->event, "delta") == 0 ||
                    strcmp(f->event, "race") == 0) &&
                   s->n_race < 8192) {
            s->r[s->n_race] = r;
            s->race_data[s->n_race++] = strdup(f->data);
        }
    }
    return s->ended;
}

static void read_to_end(struct sse *st, struct seen *s, int timeout_ms)
{
    if (!s->ended)
        sse_read_frames(st, (struct sse_read_limits){.within_ms = timeout_ms, .wait_ms = 1000},
                        on_seen_frame, s);
}

/* No race event missing between the first and last one seen, of at least `min_events`. On
 * failure the servers' logs are printed first: they say which seqs the bus gave up on and
 * why. */
static void assert_no_gaps_of(const struct seen *s, int min_events, const struct server *a,
                              const struct server *b)
{
    if (s->n_race < min_events)
        fail_msg("%d race events seen, at least %d wanted", s->n_race, min_events);
    for (int i = 1; i < s->n_race; i++) {
        if (s->r[i] != s->r[i - 1] + 1) {
            server_print_log(a);
            server_print_log(b);
            fail_msg("race events jump from %lu to %lu", s->r[i - 1], s->r[i]);
        }
    }
}

/* The same for a viewer there from (nearly) the start: more than ten events. */
static void assert_no_gaps(const struct seen *s, const struct server *a, const struct server *b)
{
    assert_no_gaps_of(s, 11, a, b);
}

/* The edge's bus gave up on no race event: the stream had every one from Kafka. */
static void assert_no_seq_gaps(int port)
{
    struct response r;
    assert_int_equal(http_call(port, "GET", "/metrics", "", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    if (!strstr(r.body, "\npitwall_kafka_seq_gaps_total 0\n"))
        fail_msg("the bus skipped race events:\n%s", r.body);
    response_free(&r);
}

/* Both streams said the same commentary lines from where both had joined (a line said
 * between the two connections reaches only the first); on a difference both lists are
 * printed, to tell a line lost at the start from one lost at the end. */
static void assert_same_commentary(const struct seen *a, const struct seen *b)
{
    int ia = 0, ib = 0;
    while (b->n_comm > 0 && ia < a->n_comm && a->c[ia] < b->c[0])
        ia++;
    while (a->n_comm > 0 && ib < b->n_comm && b->c[ib] < a->c[0])
        ib++;
    bool same = a->n_comm - ia == b->n_comm - ib;
    for (int i = 0; same && ia + i < a->n_comm; i++)
        same =
            a->c[ia + i] == b->c[ib + i] && strcmp(a->comm_data[ia + i], b->comm_data[ib + i]) == 0;
    if (same)
        return;
    for (int i = 0; i < a->n_comm; i++)
        fprintf(stderr, "first  C%lu %s\n", a->c[i], a->comm_data[i]);
    for (int i = 0; i < b->n_comm; i++)
        fprintf(stderr, "second C%lu %s\n", b->c[i], b->comm_data[i]);
    fail_msg("the two streams' commentary differs (%d and %d lines)", a->n_comm, b->n_comm);
}

static json_t *classification(int port, const char *race)
{
    char path[160];
    snprintf(path, sizeof path, "/api/race/%s/positions", race);
    for (int64_t until = now_ms() + 10000; now_ms() < until; usleep(200 * 1000)) {
        struct response r;
        if (http_call(port, "GET", path, "", NULL, &r) == 0 && r.status == 200) {
            json_t *j = json_loads(r.body, 0, NULL);
            response_free(&r);
            return j;
        }
        response_free(&r);
    }
    fail_msg("no classification for %s on port %d", race, port);
    return NULL;
}

/* Wait until `port` knows the race (it learns of it through Kafka). */
static void wait_known(int port, const char *race)
{
    char path[160];
    snprintf(path, sizeof path, "/api/race/%s/status", race);
    for (int64_t until = now_ms() + 20000;; usleep(100 * 1000)) {
        struct response r;
        int status = http_call(port, "GET", path, "", NULL, &r) == 0 ? r.status : 0;
        response_free(&r);
        if (status == 200)
            return;
        if (now_ms() > until)
            fail_msg("race %s never reached the server on port %d", race, port);
    }
}

/* Read until at least `n` race frames have arrived. */
static void read_frames(struct sse *st, struct seen *s, int n, int timeout_ms)
{
    for (int64_t until = now_ms() + timeout_ms; now_ms() < until && s->n_race < n && !s->ended;)
        read_to_end(st, s, 500);
}

static void assert_same_order(json_t *a, json_t *b)
{
    json_t *pa = json_object_get(a, "positions"), *pb = json_object_get(b, "positions");
    assert_int_equal(json_array_size(pa), json_array_size(pb));
    assert_true(json_array_size(pa) >= 10);
    for (size_t i = 0; i < json_array_size(pa); i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(pa, i), "number")),
                            json_string_value(json_object_get(json_array_get(pb, i), "number")));
}

static void test_two_edges_identical_and_late_edge_catches_up(void **state)
{
    (void)state;
    char yaml[2048];
    make_config(yaml, sizeof yaml, "edges");
    struct server all, edge, late;
    const char *edge_args[] = {"--role", "edge", NULL};
    start_all_and_edge(yaml, edge_args, &all, &edge);
    /* Started on the edge-only server: the runner in `all` takes it. */
    char *race =
        start_race(edge.port, "{\"driver_name\":\"Lando Norris\",\"duration_s\":12,\"tick_hz\":4}");
    char path[160];
    wait_known(all.port, race);
    wait_known(edge.port, race);
    snprintf(path, sizeof path, "/api/race/%s/stream", race);
    struct sse sa, sb;
    assert_int_equal(sse_open(&sa, all.port, path, NULL), 0);
    assert_int_equal(sa.status, 200);
    assert_int_equal(sse_open(&sb, edge.port, path, NULL), 0);
    assert_int_equal(sb.status, 200);
    usleep(5000 * 1000);
    /* A third edge joins mid-race and rebuilds the race from the topics. */
    assert_int_equal(server_start(&late, yaml, edge_args, NULL), 0);
    static struct seen a, b;
    read_to_end(&sa, &a, 60000);
    read_to_end(&sb, &b, 60000);
    sse_close(&sa);
    sse_close(&sb);
    assert_true(a.ended && b.ended);
    assert_no_gaps(&a, &all, &edge);
    assert_no_gaps(&b, &all, &edge);
    /* Both edges streamed the same events, byte for byte, from where both had joined. */
    int ia = 0, ib = 0;
    while (ia < a.n_race && a.r[ia] < b.r[0])
        ia++;
    while (ib < b.n_race && b.r[ib] < a.r[0])
        ib++;
    assert_int_equal(a.n_race - ia, b.n_race - ib);
    for (; ia < a.n_race; ia++, ib++) {
        assert_int_equal(a.r[ia], b.r[ib]);
        assert_string_equal(a.race_data[ia], b.race_data[ib]);
    }
    assert_same_commentary(&a, &b);
    json_t *ca = classification(all.port, race), *cb = classification(edge.port, race),
           *cl = classification(late.port, race);
    assert_same_order(ca, cb);
    assert_same_order(ca, cl);
    json_decref(ca);
    json_decref(cb);
    json_decref(cl);
    seen_free(&a);
    seen_free(&b);
    free(race);
    assert_int_equal(server_stop(&late, SIGTERM), 0);
    assert_int_equal(server_stop(&edge, SIGTERM), 0);
    assert_int_equal(server_stop(&all, SIGTERM), 0);
    server_cleanup(&late);
    server_cleanup(&edge);
    server_cleanup(&all);
}

static void test_broker_restart_mid_race_loses_nothing(void **state)
{
    (void)state;
    char yaml[2048];
    make_config(yaml, sizeof yaml, "outage");
    struct server all, edge;
    start_all_and_edge(yaml, NULL, &all, &edge);
    char *race = start_race(edge.port,
                            "{\"driver_name\":\"Max Verstappen\",\"duration_s\":20,\"tick_hz\":4}");
    char path[160];
    wait_known(edge.port, race);
    snprintf(path, sizeof path, "/api/race/%s/stream", race);
    struct sse s;
    assert_int_equal(sse_open(&s, edge.port, path, NULL), 0);
    static struct seen seen;
    read_frames(&s, &seen, 12, 30000); /* the race is under way before the outage */
    assert_true(seen.n_race >= 12);
    assert_int_equal(env_cmd("kill-broker"), 0);
    usleep(4000 * 1000);
    /* While the broker is down the edge keeps serving what it has and says so. */
    struct response r;
    assert_int_equal(http_call(edge.port, "GET", "/api/health", "", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    response_free(&r);
    assert_int_equal(env_cmd("start-broker"), 0);
    read_to_end(&s, &seen, 90000);
    sse_close(&s);
    assert_true(seen.ended);
    assert_no_gaps(&seen, &all, &edge);
    assert_no_seq_gaps(edge.port);
    json_t *ca = classification(all.port, race), *cb = classification(edge.port, race);
    assert_same_order(ca, cb);
    json_decref(ca);
    json_decref(cb);
    seen_free(&seen);
    free(race);
    assert_int_equal(server_stop(&edge, SIGTERM), 0);
    assert_int_equal(server_stop(&all, SIGTERM), 0);
    server_cleanup(&edge);
    server_cleanup(&all);
}

/* The commentary records written for `race`, read from the topic itself (every partition
 * from the beginning) up to the engine's done marker: each line's seq and message, in the
 * topic's order. Returns the lines' count; *done tells whether the marker came. */
static int topic_commentary(const char *topic, int partitions, const char *race, unsigned long *seq,
                            char **msg, int max, bool *done)
{
    char err[256], group[64];
    snprintf(group, sizeof group, "it-reader-%d", (int)getpid());
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err),
                     RD_KAFKA_CONF_OK);
    assert_int_equal(rd_kafka_conf_set(conf, "group.id", group, err, sizeof err), RD_KAFKA_CONF_OK);
    assert_int_equal(rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err),
                     RD_KAFKA_CONF_OK);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    assert_non_null(rk);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; p++)
        rd_kafka_topic_partition_list_add(parts, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    assert_int_equal(rd_kafka_assign(rk, parts), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(parts);
    int n = 0;
    *done = false;
    for (int64_t until = now_ms() + 30000; !*done && now_ms() < until;) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 500);
        if (!m)
            continue;
        json_t *j = NULL;
        if (!m->err && m->key_len == strlen(race) && memcmp(m->key, race, m->key_len) == 0)
            j = json_loadb(m->payload, m->len, 0, NULL);
        rd_kafka_message_destroy(m);
        if (!j)
            continue;
        if (json_is_true(json_object_get(j, "done"))) {
            *done = true;
            /* the marker's seq is the last line's: it says how many lines there were */
            assert_int_equal((unsigned long)json_integer_value(json_object_get(j, "seq")),
                             n ? seq[n - 1] : 0);
        } else if (n < max) {
            seq[n] = (unsigned long)json_integer_value(json_object_get(j, "seq"));
            msg[n++] = strdup(json_string_value(json_object_get(j, "message")));
        }
        json_decref(j);
    }
    rd_kafka_destroy(rk);
    return n;
}

static bool is_race_event(const struct sse_frame *f, const char *type)
{
    char want[64];
    snprintf(want, sizeof want, "\"type\":\"%s\"", type);
    return strcmp(f->event, "race") == 0 && strstr(f->data, want) != NULL;
}

/* The combined stream until the race finished: the commentary process is stopped once the
 * race is under way, long before it can say the race's last lines (however far ahead of this
 * edge a loaded machine lets it run). */
struct until_finished {
    struct seen *seen;
    pid_t talker;
    bool stopped, finished;
};

static bool on_frame_until_finished(void *ctx, const struct sse_frame *f)
{
    struct until_finished *u = ctx;
    if (!u->stopped && is_race_event(f, "lights_out")) {
        assert_int_equal(kill(u->talker, SIGSTOP), 0);
        u->stopped = true;
    }
    if (strcmp(f->event, "status") == 0 && strstr(f->data, "\"status\":\"finished\""))
        u->finished = true;
    return on_seen_frame(u->seen, f) || u->finished;
}

/* The original commentary stream of one race: each line's C and message, to its end. */
struct legacy_lines {
    int n;
    unsigned long c[1024];
    char *msg[1024];
    bool ended;
};

static bool on_legacy_line(void *ctx, const struct sse_frame *f)
{
    struct legacy_lines *l = ctx;
    json_t *j = json_loads(f->data, 0, NULL);
    const char *type = json_string_value(json_object_get(j, "type"));
    unsigned long r = 0, c = 0;
    if (type && strcmp(type, "end") == 0) {
        l->ended = true;
    } else if (type && strcmp(type, "commentary") == 0 && l->n < 1024 &&
               sscanf(f->id, "%lu-%lu", &r, &c) == 2) {
        l->c[l->n] = c;
        l->msg[l->n++] =
            strdup(json_string_value(json_object_get(json_object_get(j, "data"), "message")));
    }
    json_decref(j);
    return l->ended;
}

/* The message of a combined-stream commentary frame's data. */
static void assert_line_message(const char *data, const char *want)
{
    json_t *j = json_loads(data, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "data"), "message")),
                        want);
    json_decref(j);
}

/* The commentary engine in a process of its own says a race's last lines after the flag;
 * held up (SIGSTOP) from the start until well past the edge's end grace after the finish, it
 * says them late, and the edge carries them all the same: its `end` waits for the engine's
 * done marker. Every line the engine wrote to the topic before the marker is on the edge's
 * stream, and in the log a viewer resuming after the end is sent. */
static void test_edge_waits_for_late_commentary(void **state)
{
    (void)state;
    char yaml[2048], topic[128];
    make_config(yaml, sizeof yaml, "late");
    snprintf(topic, sizeof topic, "it-late-%d-commentary", (int)getpid());
    struct server runner, talker;
    const char *runner_args[] = {"--role", "runner,edge", NULL};
    const char *talker_args[] = {"--role", "commentary,edge", NULL};
    assert_int_equal(server_start(&runner, yaml, runner_args, NULL), 0);
    assert_int_equal(server_start(&talker, yaml, talker_args, NULL), 0);
    char *race = start_race(runner.port, "{\"driver_name\":\"Lando Norris\",\"duration_s\":15,"
                                         "\"tick_hz\":4,\"laps\":10}");
    wait_known(runner.port, race);
    char path[160];
    snprintf(path, sizeof path, "/api/race/%s/stream", race);
    struct sse st;
    assert_int_equal(sse_open(&st, runner.port, path, NULL), 0);
    assert_int_equal(st.status, 200);
    static struct seen seen;
    struct until_finished u = {.seen = &seen, .talker = talker.pid};
    sse_read_frames(&st, (struct sse_read_limits){.within_ms = 60000, .wait_ms = 1000},
                    on_frame_until_finished, &u);
    /* The engine stays silent 8 s more: longer than the edge's 5-second end grace. */
    if (u.finished && !seen.ended)
        read_to_end(&st, &seen, 8000);
    if (u.stopped)
        assert_int_equal(kill(talker.pid, SIGCONT), 0);
    assert_true(u.stopped && u.finished);
    assert_false(seen.ended); /* the grace is long past: the edge waits for the engine */
    int said_before = seen.n_comm;
    read_to_end(&st, &seen, 40000);
    sse_close(&st);
    assert_true(seen.ended);
    /* the engine's last lines (the flag, the podium at least) came after it went on */
    assert_true(seen.n_comm > said_before);

    static unsigned long seq[1024];
    static char *msg[1024];
    bool done = false;
    int n = topic_commentary(topic, 3, race, seq, msg, 1024, &done);
    assert_true(done);
    assert_true(n >= 2 && seen.n_comm > 0); /* the flag and the podium at least */
    /* Live: every line from the first the stream had (one said before it opened is in its
     * snapshot) to the last before the marker. */
    int at = 0;
    while (at < n && seq[at] < seen.c[0])
        at++;
    assert_int_equal(n - at, seen.n_comm);
    for (int i = 0; i < seen.n_comm; i++) {
        assert_int_equal(seen.c[i], seq[at + i]);
        assert_line_message(seen.comm_data[i], msg[at + i]);
    }
    /* After the end: a viewer of the original commentary stream resuming from the race's
     * very start is sent every line from the race's log, then the end. */
    snprintf(path, sizeof path, "/api/commentary/stream?race_id=%s", race);
    assert_int_equal(sse_open(&st, runner.port, path, "0-0"), 0);
    assert_int_equal(st.status, 200);
    static struct legacy_lines again;
    sse_read_frames(&st, (struct sse_read_limits){.within_ms = 20000, .wait_ms = 1000},
                    on_legacy_line, &again);
    sse_close(&st);
    assert_true(again.ended);
    assert_int_equal(again.n, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(again.c[i], seq[i]);
        assert_string_equal(again.msg[i], msg[i]);
    }
    for (int i = 0; i < n; i++) {
        free(msg[i]);
        free(again.msg[i]);
    }
    seen_free(&seen);
    free(race);
    assert_int_equal(server_stop(&talker, SIGTERM), 0);
    assert_int_equal(server_stop(&runner, SIGTERM), 0);
    server_cleanup(&talker);
    server_cleanup(&runner);
}

/* Raw records straight into a topic (poison, forged control), keyed by `key` (NULL: none),
 * with librdkafka's default partitioner as pitwall's producer. */
static void produce_raw(const char *topic, const char *key, const char *const *values, int n)
{
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err),
                     RD_KAFKA_CONF_OK);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    assert_non_null(rk);
    for (int i = 0; i < n; i++)
        assert_int_equal(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
                                           RD_KAFKA_V_KEY(key, key ? strlen(key) : 0),
                                           RD_KAFKA_V_VALUE((void *)values[i], strlen(values[i])),
                                           RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                           RD_KAFKA_V_END),
                         0);
    assert_int_equal(rd_kafka_flush(rk, 10000), 0);
    rd_kafka_destroy(rk);
}

static json_t *anomalies_of(int port, const char *race)
{
    char path[160];
    snprintf(path, sizeof path, "/api/anomalies/latest?race_id=%s", race);
    return api_get_json(port, path, 200);
}

static bool metrics_have(int port, const char *line)
{
    struct response r;
    assert_int_equal(http_call(port, "GET", "/metrics", "", NULL, &r), 0);
    bool found = r.status == 200 && strstr(r.body, line) != NULL;
    response_free(&r);
    return found;
}

static void test_telemetry_topic_same_anomalies_on_every_edge(void **state)
{
    (void)state;
    char yaml[2048], topic[128];
    make_config(yaml, sizeof yaml, "telemetry");
    snprintf(topic, sizeof topic, "it-telemetry-%d-telemetry", (int)getpid());
    struct server all, edge;
    start_all_and_edge(yaml, NULL, &all, &edge);
    /* Poison first: not JSON, a record without readings, a reading no sensor gives. */
    const char *poison[] = {"not json",
                            "{\"race_id\":\"x\",\"driver_number\":\"1\",\"driver_name\":\"A B\"}",
                            "{\"race_id\":\"x\",\"driver_number\":\"1\",\"driver_name\":\"A B\","
                            "\"engine_temp_c\":99999,\"brake_temp_c\":500,\"tyre_temp_c\":90}"};
    produce_raw(topic, NULL, poison, 3);
    /* Seed 17 plans two engine failures. */
    char *race = start_race(edge.port, "{\"driver_name\":\"Lando Norris\",\"duration_s\":6,"
                                       "\"tick_hz\":10,\"laps\":20,\"seed\":17}");
    wait_known(edge.port, race);
    json_decref(classification(edge.port, race));
    json_decref(classification(all.port, race));
    /* Both edges judged the same readings: the same anomalies, in the same order. */
    json_t *a = NULL, *b = NULL;
    for (int64_t until = now_ms() + 20000;; usleep(300 * 1000)) {
        json_decref(a);
        json_decref(b);
        a = anomalies_of(all.port, race);
        b = anomalies_of(edge.port, race);
        size_t na = json_array_size(json_object_get(a, "anomalies"));
        if (na >= 2 && na == json_array_size(json_object_get(b, "anomalies")))
            break;
        if (now_ms() > until)
            fail_msg("anomalies: %zu on the runner's edge, %zu on the other", na,
                     json_array_size(json_object_get(b, "anomalies")));
    }
    json_t *la = json_object_get(a, "anomalies"), *lb = json_object_get(b, "anomalies");
    int engine = 0;
    for (size_t i = 0; i < json_array_size(la); i++) {
        json_t *x = json_array_get(la, i), *y = json_array_get(lb, i);
        static const char *const keys[] = {"driver_name", "metric_name", "severity"};
        for (size_t k = 0; k < 3; k++)
            assert_string_equal(json_string_value(json_object_get(x, keys[k])),
                                json_string_value(json_object_get(y, keys[k])));
        assert_int_equal(json_integer_value(json_object_get(x, "race_ms")),
                         json_integer_value(json_object_get(y, "race_ms")));
        assert_true(json_equal(json_object_get(x, "z_score"), json_object_get(y, "z_score")));
        engine +=
            strcmp(json_string_value(json_object_get(x, "metric_name")), "engine_temperature") == 0;
    }
    assert_true(engine >= 2);
    json_decref(a);
    json_decref(b);
    bool counted = false;
    for (int64_t until = now_ms() + 10000; !counted && now_ms() < until; usleep(200 * 1000))
        counted = metrics_have(edge.port, "\npitwall_telemetry_kafka_poison_total 3\n");
    assert_true(counted);
    assert_true(metrics_have(all.port, "\npitwall_telemetry_kafka_delivery_failed_total 0\n"));
    free(race);
    assert_int_equal(server_stop(&edge, SIGTERM), 0);
    assert_int_equal(server_stop(&all, SIGTERM), 0);
    server_cleanup(&edge);
    server_cleanup(&all);
}

static json_t *wait_status(int port, const char *race, const char *want)
{
    char path[160];
    snprintf(path, sizeof path, "/api/race/%.60s/status", race);
    for (int64_t until = now_ms() + 30000; now_ms() < until; usleep(200 * 1000)) {
        struct response r;
        if (http_call(port, "GET", path, "", NULL, &r) == 0 && r.status == 200) {
            json_t *j = json_loads(r.body, 0, NULL);
            response_free(&r);
            if (j && strcmp(json_string_value(json_object_get(j, "status")), want) == 0)
                return j;
            json_decref(j);
            continue;
        }
        response_free(&r);
    }
    fail_msg("race %s on port %d never became %s", race, port, want);
    return NULL;
}

/* In Kafka mode, a start the edge accepts but the runner refuses (it has no
 * archive) turns "failed" with the runner's reason on every edge; a start no runner ever
 * takes turns "failed" after hub.start_timeout_s. Neither stays "not_started". */
static void test_start_that_cannot_happen_turns_failed(void **state)
{
    (void)state;
    char yaml[2048], lonely[2300];
    make_config(yaml, sizeof yaml, "failed");
    struct server all, edge, alone;
    const char *edge_args[] = {"--role", "edge", "--archive", PITWALL_ARCHIVE_DIR, NULL};
    start_all_and_edge(yaml, edge_args, &all, &edge);
    struct response r;
    assert_int_equal(http_call(edge.port, "GET", "/api/replays", "", NULL, &r), 0);
    json_t *list = json_loads(r.body, 0, NULL);
    response_free(&r);
    const char *session = json_string_value(
        json_object_get(json_array_get(json_object_get(list, "sessions"), 0), "id"));
    assert_non_null(session);
    char body[400];
    snprintf(body, sizeof body, "{\"session\":\"%s\",\"speed\":100}", session);
    json_decref(list);
    assert_int_equal(http_call(edge.port, "POST", "/api/replay/start", "", body, &r), 0);
    assert_int_equal(r.status, 200);
    json_t *started = json_loads(r.body, 0, NULL);
    response_free(&r);
    char race[64];
    snprintf(race, sizeof race, "%s", json_string_value(json_object_get(started, "race_id")));
    json_decref(started);
    json_t *st = wait_status(edge.port, race, "failed");
    assert_non_null(
        strstr(json_string_value(json_object_get(st, "reason")), "replays are not configured"));
    json_decref(st);
    st = wait_status(all.port, race, "failed");
    json_decref(st);
    assert_int_equal(http_call(edge.port, "GET", "/api/races", "", NULL, &r), 0);
    assert_non_null(strstr(r.body, "\"failed\""));
    response_free(&r);
    assert_int_equal(server_stop(&edge, SIGTERM), 0);
    assert_int_equal(server_stop(&all, SIGTERM), 0);
    server_cleanup(&edge);
    server_cleanup(&all);

    /* Topics of its own: no runner listens to this edge's control topic. */
    make_config(yaml, sizeof yaml, "lonely");
    snprintf(lonely, sizeof lonely, "%shub:\n  start_timeout_s: 3\n", yaml);
    const char *alone_args[] = {"--role", "edge", NULL};
    assert_int_equal(server_start(&alone, lonely, alone_args, NULL), 0);
    char *id = start_race(alone.port, "{\"driver_name\":\"Lando Norris\",\"duration_s\":6}");
    st = wait_status(alone.port, id, "failed");
    assert_non_null(strstr(json_string_value(json_object_get(st, "reason")), "no race runner"));
    json_decref(st);
    free(id);
    assert_int_equal(server_stop(&alone, SIGTERM), 0);
    server_cleanup(&alone);
}

static int control_at(int port, const char *race, const char *action, const char *headers)
{
    char path[200];
    snprintf(path, sizeof path, "/api/race/%.60s/%s", race, action);
    struct response r;
    assert_int_equal(http_call(port, "POST", path, headers, "{}", &r), 0);
    int status = r.status;
    response_free(&r);
    return status;
}

static bool paused_at(int port, const char *race)
{
    char path[200];
    snprintf(path, sizeof path, "/api/race/%.60s/status", race);
    struct response r;
    assert_int_equal(http_call(port, "GET", path, "", NULL, &r), 0);
    json_t *j = json_loads(r.body, 0, NULL);
    response_free(&r);
    bool paused = json_is_true(json_object_get(j, "paused"));
    json_decref(j);
    return paused;
}

/* Lines of a server's log that contain `what`. */
static int log_lines_with(const struct server *srv, const char *what)
{
    char line[1024];
    FILE *f = fopen(srv->log_path, "r");
    assert_non_null(f);
    int n = 0;
    while (fgets(line, sizeof line, f))
        n += strstr(line, what) != NULL;
    fclose(f);
    return n;
}

/* In Kafka mode, a race started on one edge is controlled from any edge
 * with its control token (the hash travels in the race's meta), never without; the
 * request reaches the runner as what it is (a pause is a pause). Control messages written
 * straight to the control topic without the token (none, a wrong one, or the hash that every
 * event carries) are refused by the runner: the race goes on. */
static void test_control_by_token_from_any_edge(void **state)
{
    (void)state;
    char yaml[2048];
    make_config(yaml, sizeof yaml, "token");
    struct server all, edge;
    start_all_and_edge(yaml, NULL, &all, &edge);
    struct response r;
    assert_int_equal(http_call(edge.port, "POST", "/api/race/start", "",
                               "{\"driver_name\":\"Lando Norris\",\"duration_s\":60}", &r),
                     0);
    assert_int_equal(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    response_free(&r);
    char race[64], mine[128];
    snprintf(race, sizeof race, "%s", json_string_value(json_object_get(j, "race_id")));
    snprintf(mine, sizeof mine, "X-Race-Token: %s\r\n",
             json_string_value(json_object_get(j, "control_token")));
    json_decref(j);
    json_decref(wait_status(all.port, race, "in_progress"));
    /* Forged on the topic, keyed by the race as an edge keys them (so they come before the
     * pause below, in the same partition). */
    char topic[128], hash[PW_CONTROL_HASH_MAX], forged[3][512];
    snprintf(topic, sizeof topic, "it-token-%d-control", (int)getpid());
    char token[64];
    snprintf(token, sizeof token, "%.*s", (int)strcspn(mine + 14, "\r"), mine + 14);
    pw_token_hash(token, hash);
    snprintf(forged[0], sizeof forged[0], "{\"op\":\"stop\",\"race_id\":\"%s\"}", race);
    snprintf(forged[1], sizeof forged[1],
             "{\"op\":\"stop\",\"race_id\":\"%s\",\"control_token\":\"%032d\"}", race, 0);
    snprintf(forged[2], sizeof forged[2],
             "{\"op\":\"seek\",\"race_id\":\"%s\",\"seek_ms\":1,\"control_token\":\"%s\"}", race,
             hash);
    const char *const forged_values[] = {forged[0], forged[1], forged[2]};
    produce_raw(topic, race, forged_values, 3);
    /* `all` learnt the race from the topics alone, its token hash with it. */
    assert_int_equal(control_at(all.port, race, "pause", ""), 403);
    assert_int_equal(
        control_at(all.port, race, "pause", "X-Race-Token: 00000000000000000000000000000000\r\n"),
        403);
    assert_int_equal(control_at(all.port, race, "pause", mine), 200);
    int64_t until = now_ms() + 10000;
    while (!paused_at(all.port, race) && now_ms() < until)
        usleep(100 * 1000);
    assert_true(paused_at(all.port, race));
    json_decref(wait_status(edge.port, race, "in_progress")); /* paused, not stopped */
    /* The runner (in `all`) read the forged three before the pause and refused each. */
    assert_int_equal(log_lines_with(&all, "refused: it carries neither the race's control token"),
                     3);
    assert_int_equal(control_at(edge.port, race, "resume", mine), 200);
    until = now_ms() + 10000;
    while (paused_at(all.port, race) && now_ms() < until)
        usleep(100 * 1000);
    assert_false(paused_at(all.port, race));
    assert_int_equal(control_at(edge.port, race, "stop", ""), 403);
    assert_int_equal(control_at(all.port, race, "stop", mine), 200);
    json_decref(wait_status(edge.port, race, "stopped"));
    assert_int_equal(server_stop(&edge, SIGTERM), 0);
    assert_int_equal(server_stop(&all, SIGTERM), 0);
    server_cleanup(&edge);
    server_cleanup(&all);
}

/* The inode of the server's end of the connection `fd` (local port `server_port`, peer
 * port `client_port` in /proc/net/tcp's hex columns), or 0. */
static unsigned long server_socket_inode(int server_port, int client_port)
{
    FILE *f = fopen("/proc/net/tcp", "r");
    if (!f)
        return 0;
    char line[512];
    unsigned long found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        unsigned local_port, remote_port, st;
        unsigned long inode;
        if (sscanf(line, " %*d: %*8x:%4x %*8x:%4x %2x %*x:%*x %*x:%*x %*x %*u %*u %lu", &local_port,
                   &remote_port, &st, &inode) == 4 &&
            (int)local_port == server_port && (int)remote_port == client_port)
            found = inode;
    }
    fclose(f);
    return found;
}

static bool process_holds_socket(pid_t pid, unsigned long inode)
{
    char dir_path[64], link_path[400], target[128], want[64];
    snprintf(dir_path, sizeof dir_path, "/proc/%d/fd", (int)pid);
    snprintf(want, sizeof want, "socket:[%lu]", inode);
    DIR *d = opendir(dir_path);
    if (!d)
        return false;
    bool held = false;
    for (struct dirent *e; !held && (e = readdir(d));) {
        snprintf(link_path, sizeof link_path, "%s/%s", dir_path, e->d_name);
        ssize_t n = readlink(link_path, target, sizeof target - 1);
        if (n > 0) {
            target[n] = '\0';
            held = strcmp(target, want) == 0;
        }
    }
    closedir(d);
    return held;
}

/* Which of the servers accepted the client connection `fd`: the kernel chose, so ask it
 * (/proc). Index into `servers`, or -1. */
static int server_of(int fd, const struct server *const *servers, int n)
{
    struct sockaddr_in mine, theirs;
    socklen_t len = sizeof mine;
    if (getsockname(fd, (struct sockaddr *)&mine, &len) != 0)
        return -1;
    len = sizeof theirs;
    if (getpeername(fd, (struct sockaddr *)&theirs, &len) != 0)
        return -1;
    unsigned long inode = server_socket_inode(ntohs(theirs.sin_port), ntohs(mine.sin_port));
    for (int i = 0; inode && i < n; i++) {
        if (process_holds_socket(servers[i]->pid, inode))
            return i;
    }
    return -1;
}

/* A stream of the race on the shared port; an edge may not know the race yet (404):
 * then again on a new connection. */
static void open_shared_stream(struct sse *st, int port, const char *path)
{
    for (int64_t until = now_ms() + 20000;; usleep(100 * 1000)) {
        assert_int_equal(sse_open(st, port, path, NULL), 0);
        if (st->status == 200)
            return;
        sse_close(st);
        if (now_ms() > until)
            fail_msg("no edge on port %d streams %s", port, path);
    }
}

/* Edges sharing one port (server.reuse_port, SO_REUSEPORT; docs/FANOUT.md): the kernel hands
 * new connections to either process, both serve the race's stream from the bus, with every
 * event; when one edge stops, the port keeps serving from the other. A server without the
 * option cannot take the port. */
static void test_edges_share_one_port(void **state)
{
    (void)state;
    enum { STREAMS = 24, LATE = 4 };
    char yaml[2048], port_text[16];
    make_config(yaml, sizeof yaml, "shared");
    struct server all, a, b, intruder;
    const char *a_args[] = {"--role", "edge", "--reuse-port", NULL};
    start_all_and_edge(yaml, a_args, &all, &a);
    snprintf(port_text, sizeof port_text, "%d", a.port);
    const char *b_args[] = {"--role", "edge", "--reuse-port", "--port", port_text, NULL};
    assert_int_equal(server_start(&b, yaml, b_args, NULL), 0);
    assert_int_equal(b.port, a.port);
    const char *intruder_args[] = {"--role", "edge", "--port", port_text, NULL};
    assert_int_equal(server_start(&intruder, yaml, intruder_args, NULL), -1);
    server_cleanup(&intruder);

    char *race =
        start_race(all.port, "{\"driver_name\":\"Lando Norris\",\"duration_s\":20,\"tick_hz\":4}");
    char path[160];
    snprintf(path, sizeof path, "/api/race/%s/stream", race);
    const struct server *edges[] = {&a, &b};
    struct sse st[STREAMS + LATE];
    struct seen *seen = calloc(STREAMS + LATE, sizeof *seen);
    int owner[STREAMS + LATE], on[2] = {0, 0};
    assert_non_null(seen);
    for (int i = 0; i < STREAMS; i++) {
        open_shared_stream(&st[i], a.port, path);
        owner[i] = server_of(st[i].fd, edges, 2);
        assert_true(owner[i] >= 0);
        on[owner[i]]++;
    }
    /* 24 connections all hashed to one process: 2 in 2^24. */
    assert_true(on[0] > 0 && on[1] > 0);
    for (int i = 0; i < STREAMS; i++) {
        read_frames(&st[i], &seen[i], 12, 30000);
        assert_true(seen[i].n_race >= 12);
        assert_no_gaps(&seen[i], &all, edges[owner[i]]);
    }

    /* One edge leaves: its viewers lose their stream, new ones all land on the other. */
    assert_int_equal(server_stop(&a, SIGTERM), 0);
    for (int i = STREAMS; i < STREAMS + LATE; i++) {
        open_shared_stream(&st[i], b.port, path);
        owner[i] = server_of(st[i].fd, edges, 2);
        assert_int_equal(owner[i], 1);
    }
    for (int i = 0; i < STREAMS + LATE; i++) {
        if (owner[i] == 1) {
            read_to_end(&st[i], &seen[i], 60000);
            assert_true(seen[i].ended);
            /* A late viewer may join near the end when a loaded machine made the first part
             * slow: its snapshot at least, then every event to the end. */
            assert_no_gaps_of(&seen[i], i < STREAMS ? 11 : 1, &all, &b);
        }
        sse_close(&st[i]);
        seen_free(&seen[i]);
    }
    free(seen);
    assert_no_seq_gaps(b.port);
    free(race);
    assert_int_equal(server_stop(&b, SIGTERM), 0);
    assert_int_equal(server_stop(&all, SIGTERM), 0);
    server_cleanup(&a);
    server_cleanup(&b);
    server_cleanup(&all);
}

/* What a viewer of the original positions stream saw of the cars' penalties and damage:
 * frames whose every car carried all four penalty fields and its damage, and how often one
 * was owed, shown or damaged. */
struct penalties_seen {
    int frames, complete, owed, drive_through, black_white, damaged;
    bool ended;
};

/* Counts a positions frame's penalty and damage fields; stops at `end`. */
static bool on_penalties_frame(void *ctx, const struct sse_frame *f)
{
    struct penalties_seen *out = ctx;
    json_t *j = json_loads(f->data, 0, NULL);
    const char *type = json_string_value(json_object_get(j, "type"));
    out->ended = type && strcmp(type, "end") == 0;
    json_t *cars = json_object_get(json_object_get(j, "data"), "positions");
    if (type && strcmp(type, "positions") == 0 && json_array_size(cars) > 0) {
        size_t i;
        json_t *car;
        bool all = true;
        out->frames++;
        json_array_foreach(cars, i, car)
        {
            json_t *owed = json_object_get(car, "penalty_s");
            json_t *dt = json_object_get(car, "drive_through");
            json_t *bw = json_object_get(car, "black_white");
            const char *damage = json_string_value(json_object_get(car, "damage"));
            all = all && json_is_integer(owed) && json_is_boolean(dt) && json_is_boolean(bw) &&
                  json_is_integer(json_object_get(car, "deleted_laps")) && damage != NULL;
            out->damaged += damage && strcmp(damage, "none") != 0;
            out->owed += json_integer_value(owed) > 0;
            out->drive_through += json_is_true(dt);
            out->black_white += json_is_true(bw);
        }
        out->complete += all;
    }
    json_decref(j);
    return out->ended;
}

static void read_penalties(int port, const char *race, struct penalties_seen *out)
{
    char path[160];
    snprintf(path, sizeof path, "/api/positions/stream?race_id=%s", race);
    struct sse st;
    memset(out, 0, sizeof *out);
    assert_int_equal(sse_open(&st, port, path, NULL), 0);
    assert_int_equal(st.status, 200);
    sse_read_frames(&st, (struct sse_read_limits){.within_ms = 60000, .wait_ms = 1000},
                    on_penalties_frame, out);
    sse_close(&st);
}

/* The classification's cars as
 * "number:penalty_s:drive_through:black_white:deleted_laps:damage,". */
static void penalty_summary(json_t *cls, char *out, size_t len)
{
    size_t i, used = 0;
    json_t *car;
    out[0] = '\0';
    json_array_foreach(json_object_get(cls, "positions"), i, car)
    {
        const char *damage = json_string_value(json_object_get(car, "damage"));
        int n = snprintf(out + used, len - used, "%s:%d:%d:%d:%d:%s,",
                         json_string_value(json_object_get(car, "number")),
                         (int)json_integer_value(json_object_get(car, "penalty_s")),
                         json_is_true(json_object_get(car, "drive_through")),
                         json_is_true(json_object_get(car, "black_white")),
                         (int)json_integer_value(json_object_get(car, "deleted_laps")),
                         damage ? damage : "?");
        assert_true(n > 0 && (size_t)n < len - used);
        used += (size_t)n;
    }
}

/* A race with the stewards on and damage forced shows the same penalties and damage on a
 * Kafka edge (the Avro positions record for the frames, the events' JSON state for the
 * classification) as on an embedded server running the same seed. */
static void test_penalties_and_damage_same_on_kafka_edge_as_embedded(void **state)
{
    (void)state;
    char yaml[2048];
    make_config(yaml, sizeof yaml, "penalties");
    struct server kafka, embedded;
    assert_int_equal(server_start(&kafka, yaml, NULL, NULL), 0);
    assert_int_equal(server_start(&embedded, NULL, NULL, NULL), 0);
    /* 12 s at 5 Hz, 60 frames: the edge's reader, started after both races, still sees well
     * over 20 when a loaded machine (ASan, other suites) delays its start by seconds. */
    const char *body = "{\"driver_name\":\"Lando Norris\",\"duration_s\":12,\"tick_hz\":5,"
                       "\"laps\":20,\"penalties\":true,\"damage\":true,\"seed\":11}";
    char *race_k = start_race(kafka.port, body), *race_e = start_race(embedded.port, body);
    static struct penalties_seen k, e;
    read_penalties(kafka.port, race_k, &k);
    read_penalties(embedded.port, race_e, &e);
    assert_true(k.ended && e.ended);
    assert_true(k.frames >= 20);
    assert_int_equal(k.complete, k.frames);
    assert_int_equal(e.complete, e.frames);
    /* the stewards' work reached the Kafka edge's frames */
    assert_true(k.owed > 0 && k.drive_through > 0 && k.black_white > 0);
    assert_true(k.damaged > 0);
    char sk[2048], se[2048];
    json_t *ck = classification(kafka.port, race_k), *ce = classification(embedded.port, race_e);
    penalty_summary(ck, sk, sizeof sk);
    penalty_summary(ce, se, sizeof se);
    assert_string_equal(sk, se);
    assert_non_null(strstr(sk, ":1:")); /* a black-and-white flag at the end, at least */
    json_decref(ck);
    json_decref(ce);
    free(race_k);
    free(race_e);
    assert_int_equal(server_stop(&embedded, SIGTERM), 0);
    assert_int_equal(server_stop(&kafka, SIGTERM), 0);
    server_cleanup(&embedded);
    server_cleanup(&kafka);
}

/* A Kafka setting out of range stops start-up with the file, line and setting named. */
static void test_bad_kafka_setting_named(void **state)
{
    (void)state;
    char yaml[2048], line[512];
    make_config(yaml, sizeof yaml, "bad");
    char *hold = strstr(yaml, "hold_ms: 10000");
    assert_non_null(hold);
    memcpy(hold, "hold_ms:     5", 14);
    struct server srv;
    assert_int_equal(server_start(&srv, yaml, NULL, NULL), -1);
    FILE *f = fopen(srv.log_path, "r");
    assert_non_null(f);
    bool named = false;
    while (fgets(line, sizeof line, f))
        named = named || (strstr(line, "config.yaml:12: kafka.hold_ms must be an integer") != NULL);
    fclose(f);
    assert_true(named);
    server_cleanup(&srv);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s KAFKA_ENV_DIR\n", argv[0]);
        return 2;
    }
    env_dir = argv[1];
    if (read_env() < 0) {
        fprintf(stderr, "no Kafka test environment in %s (kafka_env fixture)\n", env_dir);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_edges_identical_and_late_edge_catches_up),
        cmocka_unit_test(test_penalties_and_damage_same_on_kafka_edge_as_embedded),
        cmocka_unit_test(test_broker_restart_mid_race_loses_nothing),
        cmocka_unit_test(test_edge_waits_for_late_commentary),
        cmocka_unit_test(test_bad_kafka_setting_named),
        cmocka_unit_test(test_start_that_cannot_happen_turns_failed),
        cmocka_unit_test(test_control_by_token_from_any_edge),
        cmocka_unit_test(test_telemetry_topic_same_anomalies_on_every_edge),
        cmocka_unit_test(test_edges_share_one_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
