#include "app/settings.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_HOST = 1000,
    OPT_PORT,
    OPT_LOG_LEVEL,
    OPT_ROLE,
    OPT_WEB_ROOT,
    OPT_HISTORY,
    OPT_ARCHIVE,
    OPT_GRID,
    OPT_SPEED,
    OPT_DURATION,
    OPT_TICK_HZ,
    OPT_FAST,
    OPT_REUSE_PORT,
};

static const struct option long_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"config", required_argument, NULL, 'c'},
    {"host", required_argument, NULL, OPT_HOST},
    {"port", required_argument, NULL, OPT_PORT},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"role", required_argument, NULL, OPT_ROLE},
    {"web-root", required_argument, NULL, OPT_WEB_ROOT},
    {"history", required_argument, NULL, OPT_HISTORY},
    {"archive", required_argument, NULL, OPT_ARCHIVE},
    {"grid", required_argument, NULL, OPT_GRID},
    {"speed", required_argument, NULL, OPT_SPEED},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"tick-hz", required_argument, NULL, OPT_TICK_HZ},
    {"as-fast-as-possible", no_argument, NULL, OPT_FAST},
    {"reuse-port", no_argument, NULL, OPT_REUSE_PORT},
    {NULL, 0, NULL, 0},
};

void settings_usage(FILE *out, const char *prog)
{
    fprintf(out,
            "Usage: %s [options]            run the pitwall server\n"
            "       %s [options] replay DIR  run it and replay an F1 archive session at once\n"
            "\n"
            "Options:\n"
            "  -c, --config FILE      YAML configuration (see docs/CONFIG.md)\n"
            "      --host ADDR        address to listen on (default 127.0.0.1)\n"
            "      --port N           port to listen on (default 8001; 0 = any free port)\n"
            "      --reuse-port       share the port with other pitwall edges (Kafka mode)\n"
            "      --log-level LEVEL  debug, info, warn, error or off (default info)\n"
            "      --role ROLES       all, or a comma list of runner,commentary,edge\n"
            "                         (Kafka mode; default all)\n"
            "      --web-root DIR     static web UI to serve (default: the built web/dist)\n"
            "      --history FILE     SQLite race history (default data/pitwall.db)\n"
            "      --archive DIR      F1 live-timing archive sessions to offer as replays (may be\n"
            "                         given more than once, or as DIR1:DIR2)\n"
            "      --grid NAME|FILE   driver grid: 2026 (default), original, or a grid file\n"
            "      --duration SEC     wall-clock length of a simulated race (default 60)\n"
            "      --tick-hz N        positions ticks per second, 1..10 (default 1)\n"
            "      --speed X          replay speed factor (default 10)\n"
            "      --as-fast-as-possible  run races without waiting for the wall clock\n"
            "  -h, --help             this help\n"
            "  -V, --version          print the version\n",
            prog, prog);
}

static int parse_ll(const char *text, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max)
        return -EINVAL;
    *out = v;
    return 0;
}

static int parse_double(const char *text, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !(v >= min && v <= max))
        return -EINVAL;
    *out = v;
    return 0;
}

static int parse_roles(const char *text, unsigned *out)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"all", APP_ROLE_ALL},
                 {"runner", APP_ROLE_RUNNER},
                 {"commentary", APP_ROLE_COMMENTARY},
                 {"edge", APP_ROLE_EDGE}};
    unsigned roles = 0;
    char buf[128];
    if (snprintf(buf, sizeof buf, "%s", text) >= (int)sizeof buf)
        return -EINVAL;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        unsigned bit = 0;
        for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
            if (strcmp(tok, names[i].name) == 0)
                bit = names[i].bit;
        }
        if (!bit)
            return -EINVAL;
        roles |= bit;
    }
    if (!roles)
        return -EINVAL;
    *out = roles;
    return 0;
}

static void defaults(struct settings *s)
{
    memset(s, 0, sizeof *s);
    s->log_level = PW_LOG_INFO;
    http_server_config_defaults(&s->http);
    hub_config_defaults(&s->hub);
    race_manager_config_defaults(&s->race);
    commentary_config_defaults(&s->commentary);
    s->grid = "2026";
    s->history_path = "data/pitwall.db";
    s->web_root = PITWALL_SOURCE_DIR "/web/dist";
    s->roles = APP_ROLE_ALL;
    s->max_races = 64;
    s->starts_per_minute = 30;
    s->admin_token = getenv("PITWALL_ADMIN_TOKEN"); /* the file's server.admin_token wins */
}

/* Every setting the file may hold (docs/CONFIG.md): any other key is refused, with the
 * nearest of these suggested. A setting read below must be listed here. Under `kafka:`
 * any key passes (librdkafka properties; librdkafka refuses the ones it does not know). */
static const char *const known_settings[] = {
    "log_level",
    "server.host", "server.port", "server.max_connections", "server.request_timeout_ms",
    "server.idle_timeout_ms", "server.stream_queue_kb", "server.cors_origins",
    "server.output_queue_kb", "server.send_timeout_ms", "server.admin_token",
    "server.reuse_port",
    "race.grid", "race.circuit", "race.duration_s", "race.tick_hz", "race.podium",
    "race.weather", "race.max_races", "race.starts_per_minute",
    "replay.archive_dir", "replay.speed",
    "history.path",
    "web.root",
    "hub.log_max_mb", "hub.log_budget_mb", "hub.ping_interval_s", "hub.start_timeout_s",
    "hub.commentary_wait_s",
    "commentary.enabled", "commentary.min_interval_s", "commentary.llm.endpoint",
    "commentary.llm.model", "commentary.llm.api_key_env", "commentary.llm.timeout_ms",
    "commentary.llm.calls_per_minute",
    "kafka.*", "kafka.topics.positions", "kafka.topics.commentary", "kafka.topics.events",
    "kafka.topics.control", "kafka.topics.telemetry",
    /* the original app's file has these at the top level too (src/app/app_bus.c) */
    "schema_registry_url", "schema_registry_api_key", "schema_registry_secret",
    "topics.positions", "topics.commentary", "topics.events", "topics.control",
    "topics.telemetry", "consumer_group",
};

/* Values from the YAML file; each getter leaves the default when the key is absent. */
static int apply_config(struct settings *s, char *err, size_t errlen)
{
    const struct pw_config *c = s->config;
    long long v;
    double d;
    bool b;
    const char *str;
    int rc;
#define GET_INT(path, min, max, target)                                                         \
    do {                                                                                        \
        if ((rc = config_get_int(c, path, (long long)(target), min, max, &v, err, errlen)) < 0) \
            return rc;                                                                          \
        target = v;                                                                             \
    } while (0)
#define GET_STR(path, target)                                                                   \
    do {                                                                                        \
        if ((rc = config_get_string(c, path, target, &str, err, errlen)) < 0)                   \
            return rc;                                                                          \
        target = str;                                                                           \
    } while (0)
    if ((rc = config_get_string(c, "log_level", NULL, &str, err, errlen)) < 0)
        return rc;
    if (str && pw_log_parse_level(str, &s->log_level) < 0) {
        snprintf(err, errlen, "%s: log_level must be debug, info, warn, error or off",
                 s->config_path);
        return -EINVAL;
    }
    GET_STR("server.host", s->http.host);
    GET_INT("server.port", 0, 65535, s->http.port);
    GET_INT("server.max_connections", 1, 1000000, s->http.max_connections);
    GET_INT("server.request_timeout_ms", 100, 600000, s->http.request_timeout_ms);
    GET_INT("server.idle_timeout_ms", 100, 3600000, s->http.idle_timeout_ms);
    long long queue_kb = (long long)(s->http.stream_queue_bytes / 1024);
    GET_INT("server.stream_queue_kb", 4, 65536, queue_kb);
    s->http.stream_queue_bytes = (size_t)queue_kb * 1024;
    long long output_kb = (long long)(s->http.output_queue_bytes / 1024);
    GET_INT("server.output_queue_kb", 16, 65536, output_kb);
    s->http.output_queue_bytes = (size_t)output_kb * 1024;
    GET_INT("server.send_timeout_ms", 100, 600000, s->http.send_timeout_ms);
    const struct pw_config_node *origins = config_get(config_root(c), "server.cors_origins");
    if (origins) {
        if (config_kind(origins) != PW_CONFIG_SEQ || config_size(origins) > HTTP_CORS_MAX_ORIGINS) {
            snprintf(err, errlen, "%s:%d: server.cors_origins must be a list of at most %d origins",
                     s->config_path, config_line(origins), HTTP_CORS_MAX_ORIGINS);
            return -EINVAL;
        }
        s->http.n_cors_origins = 0;
        for (int i = 0; i < config_size(origins); i++) {
            const char *o = config_scalar(config_value_at(origins, i));
            if (!o) {
                snprintf(err, errlen, "%s:%d: server.cors_origins entries must be strings",
                         s->config_path, config_line(origins));
                return -EINVAL;
            }
            s->http.cors_origins[s->http.n_cors_origins++] = o;
        }
    }
    GET_STR("server.admin_token", s->admin_token);
    if ((rc = config_get_bool(c, "server.reuse_port", s->http.reuse_port, &b, err, errlen)) < 0)
        return rc;
    s->http.reuse_port = b;
    GET_STR("race.grid", s->grid);
    GET_STR("race.circuit", s->race.default_circuit);
    long long duration_s = s->race.wall_duration_ms / 1000;
    GET_INT("race.duration_s", 5, 7200, duration_s);
    s->race.wall_duration_ms = duration_s * 1000;
    GET_INT("race.tick_hz", 1, 10, s->race.tick_hz);
    if ((rc = config_get_bool(c, "race.podium", s->race.podium, &b, err, errlen)) < 0)
        return rc;
    s->race.podium = b;
    if ((rc = config_get_string(c, "race.weather", NULL, &str, err, errlen)) < 0)
        return rc;
    if (str && race_weather_mode_parse(str, &s->race.weather) < 0) {
        snprintf(err, errlen, "%s: race.weather must be dry, auto or rain", s->config_path);
        return -EINVAL;
    }
    GET_INT("race.max_races", 1, 256, s->max_races);
    GET_INT("race.starts_per_minute", 1, 100000, s->starts_per_minute);
    GET_STR("replay.archive_dir", s->race.archive_dir);
    if ((rc = config_get_double(c, "replay.speed", s->race.replay_speed, 0.1, 1000, &d, err, errlen)) < 0)
        return rc;
    s->race.replay_speed = d;
    GET_STR("history.path", s->history_path);
    GET_STR("web.root", s->web_root);
    long long log_mb = (long long)(s->hub.log_max_bytes >> 20);
    GET_INT("hub.log_max_mb", 1, 4096, log_mb);
    long long budget_mb = (long long)(s->hub.log_budget_bytes >> 20);
    GET_INT("hub.log_budget_mb", 4, 1048576, budget_mb);
    s->hub.log_budget_bytes = (size_t)budget_mb << 20;
    s->hub.log_max_bytes = (size_t)log_mb << 20;
    long long start_timeout_s = (long long)(s->hub.start_timeout_ms / 1000);
    GET_INT("hub.start_timeout_s", 1, 3600, start_timeout_s);
    s->hub.start_timeout_ms = (uint64_t)start_timeout_s * 1000;
    long long ping_s = (long long)(s->hub.ping_interval_ms / 1000);
    GET_INT("hub.ping_interval_s", 1, 300, ping_s);
    s->hub.ping_interval_ms = (uint64_t)ping_s * 1000;
    long long commentary_wait_s = (long long)(s->hub.commentary_wait_ms / 1000);
    GET_INT("hub.commentary_wait_s", 0, 600, commentary_wait_s);
    s->hub.commentary_wait_ms = (uint64_t)commentary_wait_s * 1000;
    if ((rc = config_get_bool(c, "commentary.enabled", s->commentary.enabled, &b, err, errlen)) < 0)
        return rc;
    s->commentary.enabled = b;
    if ((rc = config_get_double(c, "commentary.min_interval_s",
                                (double)s->commentary.min_interval_ms / 1000.0, 0, 600, &d, err,
                                errlen)) < 0)
        return rc;
    s->commentary.min_interval_ms = (int64_t)(d * 1000);
    GET_STR("commentary.llm.endpoint", s->commentary.llm_endpoint);
    GET_STR("commentary.llm.model", s->commentary.llm_model);
    GET_STR("commentary.llm.api_key_env", s->commentary.llm_api_key_env);
    GET_INT("commentary.llm.timeout_ms", 100, 120000, s->commentary.llm_timeout_ms);
    GET_INT("commentary.llm.calls_per_minute", 0, 100000, s->commentary.llm_calls_per_minute);
    s->kafka = config_get(config_root(c), "kafka") != NULL;
#undef GET_INT
#undef GET_STR
    return 0;
}

int settings_load(struct settings *s, int argc, char **argv, char *err, size_t errlen)
{
    defaults(s);
    /* First pass: only --config, so the file applies before the other options override it. */
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "--config") == 0 || strcmp(argv[i], "-c") == 0) && i + 1 < argc)
            s->config_path = argv[i + 1];
        else if (strncmp(argv[i], "--config=", 9) == 0)
            s->config_path = argv[i] + 9;
    }
    if (s->config_path) {
        int rc = config_load_file(s->config_path, &s->config, err, errlen);
        if (rc < 0)
            return rc;
        rc = config_check_keys(s->config, known_settings,
                               (int)(sizeof known_settings / sizeof *known_settings), err,
                               errlen);
        if (rc < 0)
            return rc;
        rc = apply_config(s, err, errlen);
        if (rc < 0)
            return rc;
    }
    optind = 1;
    opterr = 0;
    int opt;
    long long v = 0;
    double d = 0;
    /* The leading ':' makes a missing value ':' instead of '?': said as such, not as an
     * unknown option. */
    while ((opt = getopt_long(argc, argv, ":hVc:", long_options, NULL)) != -1) {
        int bad = 0;
        switch (opt) {
        case 'h':
            s->show_help = true;
            break;
        case 'V':
            s->show_version = true;
            break;
        case 'c':
            break;
        case OPT_HOST:
            s->http.host = optarg;
            break;
        case OPT_PORT:
            bad = parse_ll(optarg, 0, 65535, &v);
            s->http.port = (int)v;
            break;
        case OPT_LOG_LEVEL:
            bad = pw_log_parse_level(optarg, &s->log_level);
            break;
        case OPT_ROLE:
            bad = parse_roles(optarg, &s->roles);
            break;
        case OPT_WEB_ROOT:
            s->web_root = optarg;
            break;
        case OPT_HISTORY:
            s->history_path = optarg;
            break;
        case OPT_ARCHIVE: {
            /* Repeated, or a ':'-separated list itself: every root is offered. */
            size_t used = strlen(s->archive_list);
            int n = snprintf(s->archive_list + used, sizeof s->archive_list - used, "%s%s",
                             used ? ":" : "", optarg);
            bad = n < 0 || (size_t)n >= sizeof s->archive_list - used || !*optarg;
            s->race.archive_dir = s->archive_list;
            break;
        }
        case OPT_GRID:
            s->grid = optarg;
            break;
        case OPT_SPEED:
            bad = parse_double(optarg, 0.1, 1000, &d);
            s->race.replay_speed = d;
            s->replay_speed = d;
            break;
        case OPT_DURATION:
            bad = parse_ll(optarg, 5, 7200, &v);
            s->race.wall_duration_ms = v * 1000;
            break;
        case OPT_TICK_HZ:
            bad = parse_ll(optarg, 1, 10, &v);
            s->race.tick_hz = (int)v;
            break;
        case OPT_FAST:
            s->race.as_fast_as_possible = true;
            break;
        case OPT_REUSE_PORT:
            s->http.reuse_port = true;
            break;
        case ':':
            snprintf(err, errlen, "option %s needs a value (see --help)", argv[optind - 1]);
            return -EINVAL;
        default:
            snprintf(err, errlen, "unknown option '%s' (see --help)", argv[optind - 1]);
            return -EINVAL;
        }
        if (bad) {
            const char *name = "?";
            for (const struct option *o = long_options; o->name; o++) {
                if (o->val == opt)
                    name = o->name;
            }
            snprintf(err, errlen, "invalid value '%s' for --%s (see --help)", optarg, name);
            return -EINVAL;
        }
    }
    /* A short admin token is guessable: refuse it rather than guard with it. A long one
     * would not fit in the control request that carries it to the race runner. */
    if (s->admin_token && s->admin_token[0] &&
        (strlen(s->admin_token) < 16 || strlen(s->admin_token) >= PW_CONTROL_TOKEN_MAX)) {
        snprintf(err, errlen,
                 "the admin token (server.admin_token or PITWALL_ADMIN_TOKEN) must be 16 to %d "
                 "characters",
                 PW_CONTROL_TOKEN_MAX - 1);
        return -EINVAL;
    }
    /* Processes sharing a port must serve the same races: only Kafka gives them that (in
     * embedded mode each would run races of its own, and a viewer would find a race or not
     * depending on which process the kernel handed the connection to). */
    if (s->http.reuse_port && !s->kafka) {
        snprintf(err, errlen, "server.reuse_port (--reuse-port) needs Kafka mode (a kafka: "
                              "section): processes sharing a port must share their races");
        return -EINVAL;
    }
    if (optind < argc) {
        if (strcmp(argv[optind], "replay") == 0 && optind + 1 < argc && optind + 2 == argc) {
            s->replay_dir = argv[optind + 1];
        } else {
            snprintf(err, errlen, "unexpected argument '%s' (see --help)", argv[optind]);
            return -EINVAL;
        }
    }
    return 0;
}

void settings_free(struct settings *s)
{
    config_free(s->config);
    s->config = NULL;
}
