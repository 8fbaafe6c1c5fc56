#include "core/log.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

static const char *const level_names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

int pw_log_parse_level(const char *name, enum pw_log_level *out)
{
    static const char *const names[] = {"debug", "info", "warn", "error", "off"};
    for (int i = 0; i < 5; i++) {
        if (name && strcmp(name, names[i]) == 0) {
            *out = (enum pw_log_level)i;
            return 0;
        }
    }
    return -EINVAL;
}

void pw_log_write(const struct pw_log *log, enum pw_log_level level, const char *module,
                  const char *fmt, ...)
{
    if (!log || level < log->level || level >= PW_LOG_OFF)
        return;
    FILE *out = log->out ? log->out : stderr;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    /* One fprintf per line keeps lines whole when several processes share stderr. */
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(out, "%s.%03ldZ %-5s [%s] %s\n", when, ts.tv_nsec / 1000000L, level_names[level],
            module ? module : "-", msg);
    fflush(out);
}
