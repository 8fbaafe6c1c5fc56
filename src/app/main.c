/* pitwall — a real-time Formula 1 leaderboard server. */
#include "app/app.h"
#include "app/settings.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    struct settings settings;
    char err[512] = "";
    int status = 0;
    if (settings_load(&settings, argc, argv, err, sizeof err) < 0) {
        fprintf(stderr, "pitwall: %s\n", err);
        status = 2;
        goto out;
    }
    if (settings.show_help) {
        settings_usage(stdout, "pitwall");
        goto out;
    }
    if (settings.show_version) {
        printf("pitwall %s\n", PITWALL_VERSION);
        goto out;
    }
    struct pw_log log = {.level = settings.log_level, .out = stderr};
    status = app_run(&settings, &log);
out:
    settings_free(&settings);
    return status;
}
