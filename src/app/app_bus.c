#include "app/app_bus.h"

#include <errno.h>
#include <stdio.h>

int app_bus_create(uv_loop_t *loop, const struct settings *s, const struct pw_log *log,
                   struct api_deps *deps, struct pw_bus **out, char *err, size_t errlen)
{
    (void)loop;
    (void)log;
    (void)deps;
    if (s->kafka) {
        snprintf(err, errlen, "%s: Kafka mode is not available in this build yet",
                 s->config_path);
        return -ENOTSUP;
    }
    int rc = bus_inproc_create(out);
    if (rc < 0)
        snprintf(err, errlen, "could not create the in-process bus");
    return rc;
}
