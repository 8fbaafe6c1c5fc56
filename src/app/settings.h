/* settings.h — everything the pitwall binary can be told, from defaults, the YAML config
 * file and the command line (in that order of precedence, last wins).
 *
 * Owns: the loaded config tree (strings point into it or into argv) — free with
 * settings_free. */
#ifndef PW_APP_SETTINGS_H
#define PW_APP_SETTINGS_H

#include "commentary/commentary.h"
#include "config/config.h"
#include "core/log.h"
#include "http/http_server.h"
#include "hub/hub.h"
#include "runner/race_manager.h"

#include <stdbool.h>

enum app_role { APP_ROLE_ALL = 7, APP_ROLE_RUNNER = 1, APP_ROLE_COMMENTARY = 2, APP_ROLE_EDGE = 4 };

struct settings {
    enum pw_log_level log_level;
    const char *config_path;
    struct pw_config *config;       /* NULL without --config */
    struct http_server_config http;
    struct hub_config hub;
    struct race_manager_config race;
    struct commentary_config commentary;
    const char *grid;               /* builtin grid name or a file path */
    const char *history_path;
    const char *web_root;
    unsigned roles;                 /* mask of enum app_role */
    bool kafka;                     /* the config has a kafka: section */
    int max_races;
    int starts_per_minute;
    const char *admin_token;        /* server.admin_token, else $PITWALL_ADMIN_TOKEN; NULL none */
    /* `pitwall replay DIR`: start a replay of DIR at once */
    const char *replay_dir;
    double replay_speed;
    /* --archive given more than once: the roots joined with ':' (race.archive_dir then
     * points here) */
    char archive_list[4096];
    bool show_help, show_version;
};

/* Fill from defaults, then the config file named by --config (if any), then the command
 * line. On error, `err` says what and where (file:line or the option) and -EINVAL returns. */
int settings_load(struct settings *s, int argc, char **argv, char *err, size_t errlen);
void settings_usage(FILE *out, const char *prog);
void settings_free(struct settings *s);

#endif
