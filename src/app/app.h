/* app.h — the pitwall process: builds every part from the settings, wires them together
 * on one libuv loop, runs until SIGINT/SIGTERM/SIGHUP, and shuts down in order (races stopped and
 * recorded, streams closed with a final event, connections drained).
 *
 * Owns: every part it creates. One app per process, created by main. */
#ifndef PW_APP_APP_H
#define PW_APP_APP_H

#include "app/settings.h"

/* Run until a signal arrives. Returns the process exit status (0 on a clean shutdown). */
int app_run(struct settings *settings, const struct pw_log *log);

#endif
