/* Unit tests for src/config: loading, lookup, environment substitution, every error path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "core/error.h"

static struct pw_config *load_ok(const char *yaml)
{
    struct pw_config *cfg = NULL;
    char err[256] = "";
    int rc = config_load_string(yaml, strlen(yaml), &cfg, err, sizeof err);
    if (rc != 0)
        print_error("unexpected load error: %s\n", err);
    assert_int_equal(rc, 0);
    assert_non_null(cfg);
    return cfg;
}

/* Load text that must fail with `code`; err must contain `needle`. */
static void load_fails(const char *yaml, size_t len, int code, const char *needle)
{
    struct pw_config *cfg = (struct pw_config *)1;
    char err[256] = "";
    int rc = config_load_string(yaml, len, &cfg, err, sizeof err);
    if (rc != code || !strstr(err, needle))
        print_error("rc %d, err \"%s\", wanted %d and \"%s\"\n", rc, err, code, needle);
    assert_int_equal(rc, code);
    assert_null(cfg);
    assert_non_null(strstr(err, needle));
}

static void test_original_shape(void **state)
{
    (void)state;
    setenv("PW_TEST_KAFKA_KEY", "key-from-env", 1);
    unsetenv("PW_TEST_KAFKA_SECRET");
    struct pw_config *cfg = NULL;
    char err[256] = "";
    assert_int_equal(config_load_file(CONFIG_TEST_DATA "/original.yaml", &cfg, err, sizeof err), 0);
    const struct pw_config_node *root = config_root(cfg);
    assert_int_equal(config_kind(root), PW_CONFIG_MAP);
    const struct pw_config_node *kafka = config_get(root, "kafka");
    assert_non_null(kafka);
    assert_int_equal(config_line(kafka), 4);
    /* Keys with dots are keys: the librdkafka properties pass through as they are. */
    assert_int_equal(config_size(kafka), 10);
    assert_string_equal(config_key_at(kafka, 0), "bootstrap.servers");
    assert_string_equal(config_scalar(config_value_at(kafka, 0)),
                        "pkc-12345.eu-west-1.aws.confluent.cloud:9092");
    assert_string_equal(config_key_at(kafka, 9), "consumer_group");
    assert_null(config_key_at(kafka, 10));
    assert_null(config_key_at(kafka, -1));
    assert_string_equal(config_scalar(config_get(root, "kafka.bootstrap.servers")),
                        "pkc-12345.eu-west-1.aws.confluent.cloud:9092");
    assert_string_equal(config_scalar(config_get(kafka, "security.protocol")), "SASL_SSL");
    assert_string_equal(config_scalar(config_get(root, "kafka.sasl.username")), "key-from-env");
    assert_string_equal(config_scalar(config_get(root, "kafka.sasl.password")), "none");
    assert_string_equal(config_scalar(config_get(root, "kafka.topics.positions")),
                        "f1-driver-positions");
    assert_int_equal(config_line(config_get(root, "kafka.topics.commentary")), 14);
    assert_null(config_get(root, "kafka.topics.laps"));
    assert_null(config_get(root, "kafka.bootstrap"));
    assert_null(config_get(root, "kafka.consumer_group.x")); /* a scalar on the way */
    assert_null(config_get(root, ""));
    assert_null(config_scalar(kafka));

    long long port = 0;
    assert_int_equal(config_get_int(cfg, "server.port", 80, 1, 65535, &port, err, sizeof err), 0);
    assert_int_equal(port, 8001);
    double tick = 0;
    assert_int_equal(config_get_double(cfg, "server.tick_seconds", 1, 0.01, 60, &tick, err,
                                       sizeof err), 0);
    assert_true(tick == 0.5);
    bool cors = false;
    assert_int_equal(config_get_bool(cfg, "server.cors", false, &cors, err, sizeof err), 0);
    assert_true(cors);
    const char *host = NULL;
    assert_int_equal(config_get_string(cfg, "server.host", "x", &host, err, sizeof err), 0);
    assert_string_equal(host, "0.0.0.0");

    const struct pw_config_node *drivers = config_get(root, "drivers");
    assert_int_equal(config_kind(drivers), PW_CONFIG_SEQ);
    assert_int_equal(config_size(drivers), 2);
    assert_string_equal(config_scalar(config_value_at(drivers, 1)), "Oscar Piastri");
    assert_null(config_value_at(drivers, 2));
    assert_null(config_key_at(drivers, 0));
    assert_int_equal(config_size(config_value_at(drivers, 0)), 0);
    config_free(cfg);
}

static void test_longest_literal_key_first(void **state)
{
    (void)state;
    struct pw_config *cfg = load_ok("a:\n"
                                    "  b: nested\n"
                                    "a.b: literal\n"
                                    "x.y:\n"
                                    "  other: 1\n"
                                    "x:\n"
                                    "  y:\n"
                                    "    z: deep\n");
    const struct pw_config_node *root = config_root(cfg);
    assert_string_equal(config_scalar(config_get(root, "a.b")), "literal");
    /* "x.y" exists literally but has no "z": the shorter split "x" -> "y" -> "z" is tried. */
    assert_string_equal(config_scalar(config_get(root, "x.y.z")), "deep");
    assert_string_equal(config_scalar(config_get(root, "x.y.other")), "1");
    assert_null(config_get(NULL, "a"));
    assert_null(config_get(root, NULL));
    config_free(cfg);
}

static void test_defaults_and_nulls(void **state)
{
    (void)state;
    struct pw_config *cfg = load_ok("server:\n"
                                    "  port:\n"
                                    "  host: ~\n"
                                    "  name: ''\n"
                                    "  neg: -42\n"
                                    "  flags: [On, OFF, No, TRUE]\n");
    char err[256] = "";
    long long v = 0;
    assert_int_equal(config_get_int(cfg, "server.port", 8001, 1, 65535, &v, err, sizeof err), 0);
    assert_int_equal(v, 8001);
    assert_int_equal(config_get_int(cfg, "server.neg", 0, -100, 100, &v, err, sizeof err), 0);
    assert_int_equal(v, -42);
    assert_int_equal(config_get_int(cfg, "nothing.here", 7, 0, 10, &v, err, sizeof err), 0);
    assert_int_equal(v, 7);
    const char *s = NULL;
    assert_int_equal(config_get_string(cfg, "server.host", "127.0.0.1", &s, err, sizeof err), 0);
    assert_string_equal(s, "127.0.0.1");
    /* A quoted empty string is a value, not a null. */
    assert_int_equal(config_get_string(cfg, "server.name", "dflt", &s, err, sizeof err), 0);
    assert_string_equal(s, "");
    assert_string_equal(config_scalar(config_get(config_root(cfg), "server.port")), "");
    const struct pw_config_node *flags = config_get(config_root(cfg), "server.flags");
    assert_int_equal(config_size(flags), 4);
    config_free(cfg);

    const char *bools = "a: On\nb: OFF\nc: No\nd: TRUE\ne: yes\nf: false\n";
    cfg = load_ok(bools);
    const bool want[] = {true, false, false, true, true, false};
    const char *keys[] = {"a", "b", "c", "d", "e", "f"};
    for (int i = 0; i < 6; i++) {
        bool b = !want[i];
        assert_int_equal(config_get_bool(cfg, keys[i], !want[i], &b, err, sizeof err), 0);
        assert_int_equal(b, want[i]);
    }
    bool b = true;
    assert_int_equal(config_get_bool(cfg, "g", false, &b, err, sizeof err), 0);
    assert_false(b);
    config_free(cfg);
}

static void test_empty_file(void **state)
{
    (void)state;
    struct pw_config *cfg = load_ok("# only a comment\n");
    assert_null(config_root(cfg));
    long long v = 0;
    char err[64];
    assert_int_equal(config_get_int(cfg, "server.port", 8001, 1, 65535, &v, err, sizeof err), 0);
    assert_int_equal(v, 8001);
    config_free(cfg);
    cfg = load_ok("");
    assert_null(config_root(cfg));
    config_free(cfg);
}

static void test_typed_errors(void **state)
{
    (void)state;
    struct pw_config *cfg = load_ok("server:\n"
                                    "  port: 70000\n"
                                    "  word: abc\n"
                                    "  partial: 12abc\n"
                                    "  ratio: 1.5x\n"
                                    "  flag: maybe\n"
                                    "  list: [1, 2]\n"
                                    "  huge: 99999999999999999999999\n"
                                    "  spaced: ' 5'\n"
                                    "  inf: inf\n");
    char err[256] = "";
    long long v = 5;
    assert_int_equal(config_get_int(cfg, "server.port", 1, 1, 65535, &v, err, sizeof err), -EINVAL);
    assert_string_equal(err, "<string>:2: server.port must be an integer from 1 to 65535");
    assert_int_equal(v, 5);
    assert_int_equal(config_get_int(cfg, "server.word", 1, 1, 9, &v, err, sizeof err), -EINVAL);
    assert_string_equal(err, "<string>:3: server.word must be an integer from 1 to 9");
    assert_int_equal(config_get_int(cfg, "server.partial", 1, 1, 99, &v, err, sizeof err), -EINVAL);
    assert_int_equal(config_get_int(cfg, "server.list", 1, 1, 99, &v, err, sizeof err), -EINVAL);
    assert_string_equal(err, "<string>:7: server.list must be an integer from 1 to 99");
    assert_int_equal(config_get_int(cfg, "server.huge", 1, 1, 99, &v, err, sizeof err), -EINVAL);
    assert_int_equal(config_get_int(cfg, "server.spaced", 1, 1, 99, &v, err, sizeof err), -EINVAL);
    double d = 0;
    assert_int_equal(config_get_double(cfg, "server.spaced", 1, 0, 10, &d, err, sizeof err), -EINVAL);
    assert_int_equal(config_get_double(cfg, "server.inf", 1, 0, 1e300, &d, err, sizeof err), -EINVAL);
    assert_int_equal(config_get_double(cfg, "server.ratio", 1, 0, 10, &d, err, sizeof err), -EINVAL);
    assert_string_equal(err, "<string>:5: server.ratio must be a number from 0 to 10");
    assert_int_equal(config_get_double(cfg, "server.port", 1, 0, 10, &d, err, sizeof err), -EINVAL);
    bool b = false;
    assert_int_equal(config_get_bool(cfg, "server.flag", false, &b, err, sizeof err), -EINVAL);
    assert_string_equal(err, "<string>:6: server.flag must be true or false (also yes/no, on/off)");
    const char *s = NULL;
    assert_int_equal(config_get_string(cfg, "server", "x", &s, err, sizeof err), -EINVAL);
    assert_string_equal(err, "<string>:2: server must be a string");
    /* A NULL or zero-length err buffer is allowed. */
    assert_int_equal(config_get_bool(cfg, "server.flag", false, &b, NULL, 0), -EINVAL);
    config_free(cfg);
}

static void test_env_substitution(void **state)
{
    (void)state;
    setenv("PW_TEST_HOST", "db.example", 1);
    setenv("PW_TEST_EMPTY", "", 1);
    unsetenv("PW_TEST_UNSET");
    struct pw_config *cfg = load_ok("url: 'http://${PW_TEST_HOST}:${PW_TEST_UNSET:-8081}/x'\n"
                                    "empty: \"${PW_TEST_EMPTY}\"\n"
                                    "emptydef: ${PW_TEST_EMPTY:-fallback}\n"
                                    "literal: $${PW_TEST_HOST} costs $5 $$ $\n"
                                    "nodefault: ${PW_TEST_UNSET:-}\n"
                                    "${PW_TEST_HOST}: keys are not substituted\n");
    const struct pw_config_node *root = config_root(cfg);
    assert_string_equal(config_scalar(config_get(root, "url")), "http://db.example:8081/x");
    assert_string_equal(config_scalar(config_get(root, "empty")), "");
    assert_string_equal(config_scalar(config_get(root, "emptydef")), "fallback");
    assert_string_equal(config_scalar(config_get(root, "literal")), "${PW_TEST_HOST} costs $5 $$ $");
    assert_string_equal(config_scalar(config_get(root, "nodefault")), "");
    assert_string_equal(config_key_at(root, 5), "${PW_TEST_HOST}");
    config_free(cfg);

    /* A substituted secret never shows in an error text. */
    setenv("PW_TEST_PORT", "hunter2-secret", 1);
    cfg = load_ok("server:\n  port: ${PW_TEST_PORT}\n");
    char err[256] = "";
    long long v = 0;
    assert_int_equal(config_get_int(cfg, "server.port", 1, 1, 65535, &v, err, sizeof err), -EINVAL);
    assert_string_equal(err, "<string>:2: server.port must be an integer from 1 to 65535");
    assert_null(strstr(err, "hunter2"));
    config_free(cfg);
}

static void test_env_errors(void **state)
{
    (void)state;
    unsetenv("PW_TEST_UNSET");
    const char *y = "a: 1\nb:\n  c: x-${PW_TEST_UNSET}-y\n";
    load_fails(y, strlen(y), -EINVAL, "<string>:3: environment variable PW_TEST_UNSET is not set");
    y = "a: ${PW_TEST_UNSET:-secret-default\n";
    load_fails(y, strlen(y), -EINVAL, "<string>:1: unterminated");
    struct pw_config *cfg = NULL;
    char err[256];
    assert_int_equal(config_load_string(y, strlen(y), &cfg, err, sizeof err), -EINVAL);
    assert_null(strstr(err, "secret-default"));
    y = "a: ${1BAD}\n";
    load_fails(y, strlen(y), -EINVAL, "<string>:1: invalid environment variable reference");
    y = "a: ${}\n";
    load_fails(y, strlen(y), -EINVAL, "invalid environment variable reference");
    y = "a: ${PW_TEST_UNSET\n";
    load_fails(y, strlen(y), -EINVAL, "unterminated");

    /* A value past CONFIG_MAX_VALUE after substitution is refused. */
    size_t big = CONFIG_MAX_VALUE + 10;
    char *val = malloc(big + 1);
    assert_non_null(val);
    memset(val, 'v', big);
    val[big] = '\0';
    setenv("PW_TEST_BIG", val, 1);
    free(val);
    y = "a: ${PW_TEST_BIG}\n";
    load_fails(y, strlen(y), PW_ELIMIT, "<string>:1: value is longer than");
    unsetenv("PW_TEST_BIG");
}

static void test_syntax_errors(void **state)
{
    (void)state;
    const char *y = "a: 1\nb: [1, 2\nc: 3\n";
    load_fails(y, strlen(y), PW_EPARSE,
               "<string>:3: did not find expected ',' or ']' (while parsing a flow "
               "sequence started at line 2)");
    y = "a: 1\n  b: 2\n";
    load_fails(y, strlen(y), PW_EPARSE, "<string>:2: ");
    y = "a: \"unterminated\n";
    load_fails(y, strlen(y), PW_EPARSE, "<string>:");
    y = "a: 1\n---\nb: 2\n";
    load_fails(y, strlen(y), PW_EPARSE, "<string>:2: only one YAML document is allowed");
    y = "? [a, b]\n: 1\n";
    load_fails(y, strlen(y), PW_EPARSE, "<string>:1: a map key must be a scalar");
    /* An embedded NUL is not YAML text libyaml accepts. */
    const char nul[] = "a: x\0y\n";
    load_fails(nul, sizeof nul - 1, PW_EPARSE, "<string>:");
    const char bad_utf8[] = "a: \xff\xfe\n";
    load_fails(bad_utf8, sizeof bad_utf8 - 1, PW_EPARSE, "<string>:");
}

static void test_duplicate_key(void **state)
{
    (void)state;
    const char *y = "a: 1\nb: 2\na: 3\n";
    load_fails(y, strlen(y), PW_EPARSE, "<string>:3: duplicate key \"a\" (first at line 1)");
    struct pw_config *cfg = NULL;
    char err[256] = "";
    assert_int_equal(config_load_file(CONFIG_TEST_DATA "/duplicate.yaml", &cfg, err, sizeof err),
                     PW_EPARSE);
    assert_null(cfg);
    assert_string_equal(err, CONFIG_TEST_DATA "/duplicate.yaml:4: duplicate key \"port\" "
                             "(first at line 2)");
    /* The same key in different maps is fine. */
    cfg = load_ok("x: {a: 1}\ny: {a: 2}\n");
    config_free(cfg);
}

static void test_aliases_refused(void **state)
{
    (void)state;
    /* The classic "billion laughs": refused at its first anchor, nothing expands. */
    const char *bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
                       "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                       "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                       "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                       "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
                       "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                       "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
    load_fails(bomb, strlen(bomb), PW_EPARSE, "<string>:1: anchors (&) and aliases (*) are not");
    const char *alias = "base: x\nother: *x\n";
    load_fails(alias, strlen(alias), PW_EPARSE, "<string>:2: anchors (&) and aliases (*)");
    const char *merge = "base: &b {a: 1}\nderived:\n  <<: *b\n";
    load_fails(merge, strlen(merge), PW_EPARSE, "<string>:1: anchors");
}

/* `levels` nested flow sequences around a scalar. */
static char *nested(int levels)
{
    char *s = malloc((size_t)levels * 2 + 4);
    assert_non_null(s);
    int p = 0;
    for (int i = 0; i < levels; i++)
        s[p++] = '[';
    s[p++] = '1';
    for (int i = 0; i < levels; i++)
        s[p++] = ']';
    s[p++] = '\n';
    s[p] = '\0';
    return s;
}

static void test_depth_limit(void **state)
{
    (void)state;
    char *ok = nested(CONFIG_MAX_DEPTH);
    struct pw_config *cfg = load_ok(ok);
    const struct pw_config_node *n = config_root(cfg);
    for (int i = 0; i < CONFIG_MAX_DEPTH; i++)
        n = config_value_at(n, 0);
    assert_string_equal(config_scalar(n), "1");
    config_free(cfg);
    free(ok);
    char *deep = nested(CONFIG_MAX_DEPTH + 1);
    load_fails(deep, strlen(deep), PW_ELIMIT, "<string>:1: nested more than 32 levels deep");
    free(deep);
    /* Far deeper input stops at the bound too, without exhausting anything. */
    deep = nested(100000);
    load_fails(deep, strlen(deep), PW_ELIMIT, "nested more than 32 levels deep");
    free(deep);
}

static void test_size_and_node_limits(void **state)
{
    (void)state;
    /* One byte over 1 MiB, as a string and as a file. */
    size_t len = CONFIG_MAX_BYTES + 1;
    char *big = malloc(len);
    assert_non_null(big);
    memset(big, '#', len);
    big[len - 1] = '\n';
    load_fails(big, len, PW_ELIMIT, "<string>: larger than 1048576 bytes");
    char path[] = "/tmp/pw_config_big_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, big, len), (ssize_t)len);
    close(fd);
    struct pw_config *cfg = NULL;
    char err[256] = "";
    assert_int_equal(config_load_file(path, &cfg, err, sizeof err), PW_ELIMIT);
    assert_null(cfg);
    assert_non_null(strstr(err, "larger than 1048576 bytes"));
    assert_int_equal(strncmp(err, path, strlen(path)), 0);
    unlink(path);
    free(big);

    /* A list of 10000 items plus the list itself is 10001 nodes: one too many. */
    size_t cap = 5 * CONFIG_MAX_NODES + 16;
    char *many = malloc(cap);
    assert_non_null(many);
    size_t p = 0;
    for (int i = 0; i < CONFIG_MAX_NODES; i++) {
        memcpy(many + p, "- 1\n", 4);
        p += 4;
    }
    many[p] = '\0';
    load_fails(many, p, PW_ELIMIT, "more than 10000 nodes");
    /* 9999 items fit. */
    cfg = load_ok(many + 4);
    assert_int_equal(config_size(config_root(cfg)), CONFIG_MAX_NODES - 1);
    config_free(cfg);
    free(many);
}

static void test_file_errors(void **state)
{
    (void)state;
    struct pw_config *cfg = NULL;
    char err[256] = "";
    assert_int_equal(config_load_file("/nonexistent/pitwall.yaml", &cfg, err, sizeof err), -ENOENT);
    assert_null(cfg);
    assert_string_equal(err, "/nonexistent/pitwall.yaml: cannot open: No such file or directory");
    assert_int_equal(config_load_file("/tmp", &cfg, err, sizeof err), -EINVAL);
    assert_string_equal(err, "/tmp: is a directory, not a regular file");
    /* A FIFO is refused at once, not waited on for a writer. */
    char fifo[] = "/tmp/pitwall-config-fifo-XXXXXX";
    int fd = mkstemp(fifo);
    assert_true(fd >= 0);
    close(fd);
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(config_load_file(fifo, &cfg, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "is a FIFO (named pipe), not a regular file"));
    unlink(fifo);
    /* A tiny err buffer is cut, not overrun. */
    char small[8];
    assert_int_equal(config_load_file("/nonexistent/pitwall.yaml", &cfg, small, sizeof small),
                     -ENOENT);
    assert_int_equal(strlen(small), sizeof small - 1);
    config_free(NULL);
}

static const char *const known[] = {"log_level",   "server.host", "server.port",
                                    "server.cors_origins", "race.max_races", "kafka.*",
                                    "kafka.topics.positions"};
#define N_KNOWN ((int)(sizeof known / sizeof *known))

/* Checks `yaml` against `known`: NULL wants it accepted, else an error containing `needle`. */
static void check_keys(const char *yaml, const char *needle)
{
    struct pw_config *cfg = load_ok(yaml);
    char err[256] = "";
    int rc = config_check_keys(cfg, known, N_KNOWN, err, sizeof err);
    if (needle && (rc != -EINVAL || !strstr(err, needle)))
        fail_msg("rc %d, err \"%s\", wanted \"%s\"", rc, err, needle);
    if (!needle && rc != 0)
        fail_msg("refused: %s", err);
    config_free(cfg);
}

static void test_edit_distance_and_suggestion(void **state)
{
    (void)state;
    assert_int_equal(config_edit_distance("port", "port"), 0);
    assert_int_equal(config_edit_distance("portt", "port"), 1);
    assert_int_equal(config_edit_distance("prot", "port"), 2);
    assert_int_equal(config_edit_distance("", "host"), 4);
    assert_int_equal(config_edit_distance("kitten", "sitting"), 3);
    const char *names[] = {"host", "port", "max_connections"};
    assert_string_equal(config_suggest("portt", names, 3), "port");
    assert_string_equal(config_suggest("hots", names, 3), "host");
    assert_string_equal(config_suggest("max_conections", names, 3), "max_connections");
    assert_null(config_suggest("colour", names, 3)); /* nothing close: no guess */
    assert_null(config_suggest("x", names, 0));
}

static void test_unknown_keys_named_with_a_suggestion(void **state)
{
    (void)state;
    check_keys("server:\n  host: a\n  port: 1\nlog_level: info\n", NULL);
    check_keys("", NULL);
    check_keys("server:\n  cors_origins: [a, b]\n", NULL); /* a list value is the setting's */
    check_keys("kafka:\n  bootstrap.servers: x\n  acks: all\n  topics:\n    positions: p\n", NULL);
    check_keys("server.port: 1\n", NULL); /* a dotted key at the top names the same setting */
    check_keys("server:\n  host: a\n  portt: 1\n",
               "<string>:3: unknown setting server.portt (did you mean server.port?)");
    check_keys("sever:\n  port: 1\n", "<string>:1: unknown setting sever (did you mean server?)");
    check_keys("server:\n  max_races: 1\n",
               "unknown setting server.max_races (did you mean race.max_races?)");
    check_keys("kafka:\n  topics:\n    position: p\n",
               "<string>:3: unknown setting kafka.topics.position (did you mean kafka.topics.positions?)");
    check_keys("colour: blue\n", "<string>:1: unknown setting colour");
    check_keys("server: 8001\n", "<string>:1: server is a section");
    check_keys("- a\n- b\n", "must be a map of settings");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_original_shape),
        cmocka_unit_test(test_longest_literal_key_first),
        cmocka_unit_test(test_defaults_and_nulls),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_typed_errors),
        cmocka_unit_test(test_env_substitution),
        cmocka_unit_test(test_env_errors),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_aliases_refused),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_size_and_node_limits),
        cmocka_unit_test(test_file_errors),
        cmocka_unit_test(test_edit_distance_and_suggestion),
        cmocka_unit_test(test_unknown_keys_named_with_a_suggestion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
