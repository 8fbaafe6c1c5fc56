/* config_typed.c — typed getters: defaults for absent values, range-checked conversions.
 * Error texts name the path and the accepted form, never the value found (it may be a
 * secret substituted from the environment). */
#include "config/config_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <strings.h>

/* The node at `path`, or NULL when absent or a YAML null (both mean "use the default"). */
static const struct pw_config_node *present(const struct pw_config *cfg, const char *path)
{
    const struct pw_config_node *n = config_get(config_root(cfg), path);
    if (n && n->kind == PW_CONFIG_SCALAR && n->is_null)
        return NULL;
    return n;
}

static const char *cfg_name(const struct pw_config *cfg)
{
    return cfg && cfg->name ? cfg->name : "<config>";
}

int config_get_string(const struct pw_config *cfg, const char *path, const char *def,
                      const char **out, char *err, size_t errlen)
{
    const struct pw_config_node *n = present(cfg, path);
    if (!n) {
        *out = def;
        return 0;
    }
    if (n->kind != PW_CONFIG_SCALAR) {
        config_errorf(err, errlen, cfg_name(cfg), n->line, "%s must be a string", path);
        return -EINVAL;
    }
    *out = n->text;
    return 0;
}

/* A number's text at node `n` converted, whole (`integer`: to *iv in base 10, otherwise
 * to *dv): 0, or -EINVAL for anything else (not a scalar, leading space, trailing text,
 * out of the type's range). The caller checks its own range. */
static int convert_number(const struct pw_config_node *n, bool integer, long long *iv, double *dv)
{
    if (n->kind != PW_CONFIG_SCALAR || !n->text[0] || isspace((unsigned char)n->text[0]))
        return -EINVAL;
    char *end;
    errno = 0;
    if (integer)
        *iv = strtoll(n->text, &end, 10);
    else
        *dv = strtod(n->text, &end);
    return errno == 0 && *end == '\0' ? 0 : -EINVAL;
}

int config_get_int(const struct pw_config *cfg, const char *path, long long def, long long min,
                   long long max, long long *out, char *err, size_t errlen)
{
    long long v;
    const struct pw_config_node *n = present(cfg, path);
    if (!n) {
        *out = def;
        return 0;
    }
    if (convert_number(n, true, &v, NULL) == 0 && v >= min && v <= max) {
        *out = v;
        return 0;
    }
    config_errorf(err, errlen, cfg_name(cfg), n->line, "%s must be an integer from %lld to %lld",
                  path, min, max);
    return -EINVAL;
}

int config_get_double(const struct pw_config *cfg, const char *path, double def, double min,
                      double max, double *out, char *err, size_t errlen)
{
    double v;
    const struct pw_config_node *n = present(cfg, path);
    if (!n) {
        *out = def;
        return 0;
    }
    if (convert_number(n, false, NULL, &v) == 0 && isfinite(v) && v >= min && v <= max) {
        *out = v;
        return 0;
    }
    config_errorf(err, errlen, cfg_name(cfg), n->line, "%s must be a number from %g to %g", path,
                  min, max);
    return -EINVAL;
}

int config_get_bool(const struct pw_config *cfg, const char *path, bool def, bool *out,
                    char *err, size_t errlen)
{
    static const char *const yes[] = {"true", "yes", "on"};
    static const char *const no[] = {"false", "no", "off"};
    const struct pw_config_node *n = present(cfg, path);
    if (!n) {
        *out = def;
        return 0;
    }
    if (n->kind == PW_CONFIG_SCALAR) {
        for (int i = 0; i < 3; i++) {
            if (strcasecmp(n->text, yes[i]) == 0) {
                *out = true;
                return 0;
            }
            if (strcasecmp(n->text, no[i]) == 0) {
                *out = false;
                return 0;
            }
        }
    }
    config_errorf(err, errlen, cfg_name(cfg), n->line,
                  "%s must be true or false (also yes/no, on/off)", path);
    return -EINVAL;
}
