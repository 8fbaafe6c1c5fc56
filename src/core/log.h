/* log.h — leveled logging to stderr with a UTC timestamp.
 *
 * There is no global logger: main owns a `struct pw_log` and hands a const pointer to
 * every module that logs. A NULL logger is valid and logs nothing, which keeps unit tests
 * quiet. Secrets (API keys, passwords) are never passed to these functions. */
#ifndef PW_CORE_LOG_H
#define PW_CORE_LOG_H

#include <stdio.h>

enum pw_log_level { PW_LOG_DEBUG = 0, PW_LOG_INFO, PW_LOG_WARN, PW_LOG_ERROR, PW_LOG_OFF };

struct pw_log {
    enum pw_log_level level;
    FILE *out; /* stderr unless a test redirects it */
};

/* Parse "debug", "info", "warn", "error" or "off". Returns 0 or -EINVAL. */
int pw_log_parse_level(const char *name, enum pw_log_level *out);

void pw_log_write(const struct pw_log *log, enum pw_log_level level, const char *module,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define PW_DEBUG(log, mod, ...) pw_log_write((log), PW_LOG_DEBUG, (mod), __VA_ARGS__)
#define PW_INFO(log, mod, ...) pw_log_write((log), PW_LOG_INFO, (mod), __VA_ARGS__)
#define PW_WARN(log, mod, ...) pw_log_write((log), PW_LOG_WARN, (mod), __VA_ARGS__)
#define PW_ERROR(log, mod, ...) pw_log_write((log), PW_LOG_ERROR, (mod), __VA_ARGS__)

#endif
