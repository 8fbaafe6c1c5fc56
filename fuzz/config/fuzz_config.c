/* fuzz_config.c — fuzz target for the YAML configuration (src/config, docs/CONFIG.md):
 * loading with its limits, `${VAR}` substitution, the strict key check and its nearest-key
 * suggestion, dotted lookups and the typed getters.
 *
 * Input: the bytes of a configuration file. The target loads it, walks the whole tree,
 * checks its keys against a list shaped like pitwall's own (sections, a list setting, an
 * open `kafka:` section with a closed `kafka.topics`) and reads every setting with each
 * typed getter. It traps if:
 *   - a load or check fails without an error text, or the text does not name the source
 *     ("<string>"), or a load succeeds and leaves an error text;
 *   - a getter answers 0 with a value outside the range it was given, or a failing getter
 *     leaves no error text;
 *   - the tree is inconsistent (a map entry without a key, a scalar without text, a line
 *     number below 1, a plain key that a lookup of itself does not find).
 * Built with the standalone driver (fuzz/standalone.c, a ctest) or with clang
 * -fsanitize=fuzzer (PITWALL_LIBFUZZER, scripts/test.d/70-fuzz.sh). */
#include "config/config.h"
#include "standalone.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known[] = {
    "log_level",          "server.host",        "server.port",           "server.cors_origins",
    "server.admin_token", "race.max_races",     "race.podium",           "replay.speed",
    "hub.log_max_mb",     "commentary.llm.model", "kafka.*",             "kafka.topics.positions",
    "kafka.topics.control", "consumer_group",
};
#define N_KNOWN ((int)(sizeof known / sizeof *known))

static void check_error(const char *err)
{
    if (!err[0] || !strstr(err, "<string>"))
        __builtin_trap();
}

static void walk(const struct pw_config_node *n, int depth)
{
    if (!n || depth > CONFIG_MAX_DEPTH + 1)
        return;
    if (config_line(n) < 1)
        __builtin_trap();
    switch (config_kind(n)) {
    case PW_CONFIG_SCALAR:
        if (!config_scalar(n))
            __builtin_trap();
        return;
    case PW_CONFIG_MAP:
        for (int i = 0; i < config_size(n); i++) {
            const char *key = config_key_at(n, i);
            if (!key || !config_value_at(n, i))
                __builtin_trap();
            /* a lookup by a plain key finds its entry (an empty path finds nothing) */
            if (key[0] && !strchr(key, '.') && config_get(n, key) != config_value_at(n, i))
                __builtin_trap();
            walk(config_value_at(n, i), depth + 1);
        }
        return;
    case PW_CONFIG_SEQ:
        for (int i = 0; i < config_size(n); i++)
            walk(config_value_at(n, i), depth + 1);
        return;
    }
}

static void read_settings(const struct pw_config *cfg)
{
    char err[256];
    for (int i = 0; i < N_KNOWN; i++) {
        const char *path = known[i];
        long long v;
        double d;
        bool b;
        const char *s;
        err[0] = '\0';
        int rc = config_get_int(cfg, path, 7, -5, 65535, &v, err, sizeof err);
        if (rc == 0 && (v < -5 || v > 65535))
            __builtin_trap();
        if (rc < 0)
            check_error(err);
        err[0] = '\0';
        rc = config_get_double(cfg, path, 1.5, 0.1, 1000, &d, err, sizeof err);
        if (rc == 0 && !(d >= 0.1 && d <= 1000))
            __builtin_trap();
        if (rc < 0)
            check_error(err);
        err[0] = '\0';
        rc = config_get_bool(cfg, path, true, &b, err, sizeof err);
        if (rc < 0)
            check_error(err);
        err[0] = '\0';
        rc = config_get_string(cfg, path, "default", &s, err, sizeof err);
        if (rc == 0 && !s)
            __builtin_trap();
        if (rc < 0)
            check_error(err);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool env_set;
    if (!env_set) {
        setenv("PW_FUZZ_SET", "value", 1);
        setenv("PW_FUZZ_EMPTY", "", 1);
        unsetenv("PW_FUZZ_UNSET");
        env_set = true;
    }
    struct pw_config *cfg = NULL;
    char err[512] = "";
    int rc = config_load_string((const char *)data, size, &cfg, err, sizeof err);
    if (rc < 0) {
        if (cfg)
            __builtin_trap();
        check_error(err);
        return 0;
    }
    if (!cfg || err[0])
        __builtin_trap();
    walk(config_root(cfg), 0);
    err[0] = '\0';
    rc = config_check_keys(cfg, known, N_KNOWN, err, sizeof err);
    if (rc < 0)
        check_error(err);
    else if (err[0])
        __builtin_trap();
    read_settings(cfg);
    config_free(cfg);
    return 0;
}

#ifndef PITWALL_LIBFUZZER
/* Tokens the standalone driver's mutations insert (fuzz/standalone.c). */
static const char *const tokens[] = {
    "\n", "  ", ": ", "- ", "#", "---\n", "...\n", "{", "}", "[", "]", ",", "'", "\"",
    "&a ", "*a", "<<: ", "!!str ", "? ", "|\n", ">\n", "~", "null", "true", "off", "0x1F",
    "1e999", "-0", "8001", "server:\n  port: ", "kafka:\n  bootstrap.servers: ",
    "  topics:\n    positions: ", "portt: 1\n", "race.max_races: 3\n", "${PW_FUZZ_SET}",
    "${PW_FUZZ_UNSET}", "${PW_FUZZ_UNSET:-x}", "${PW_FUZZ_EMPTY:-y}", "$${", "${", "\t",
    "\xef\xbb\xbf", "\xc3\xa9", "\xff", "",
};

FUZZ_TARGET("fuzz_config", tokens);
#endif
