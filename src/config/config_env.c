/* config_env.c — ${NAME} and ${NAME:-default} substitution in scalar values. */
#include "config/config_internal.h"
#include "core/error.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ENV_NAME_MAX 128

struct out_buf {
    char *p;
    size_t len, cap;
};

static int out_append(struct out_buf *b, const char *s, size_t n)
{
    if (b->len + n > CONFIG_MAX_VALUE)
        return PW_ELIMIT;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return -ENOMEM;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

static bool env_name_start(char c)
{
    return c == '_' || isalpha((unsigned char)c);
}

static bool env_name_char(char c)
{
    return c == '_' || isalnum((unsigned char)c);
}

int config_env_substitute(const char *in, size_t len, const char *name, int line, char **out,
                          char *err, size_t errlen)
{
    struct out_buf b = {0};
    int rc = out_append(&b, "", 0);
    size_t i = 0;
    while (rc == 0 && i < len) {
        if (in[i] == '$' && i + 2 < len && in[i + 1] == '$' && in[i + 2] == '{') {
            rc = out_append(&b, "${", 2);
            i += 3;
            continue;
        }
        if (!(in[i] == '$' && i + 1 < len && in[i + 1] == '{')) {
            size_t start = i;
            while (i < len && !(in[i] == '$' && i + 1 < len && (in[i + 1] == '{' || in[i + 1] == '$')))
                i++;
            if (i == start)
                i++; /* a lone "$$" not followed by "{" is literal text */
            rc = out_append(&b, in + start, i - start);
            continue;
        }
        size_t p = i + 2, name_start = p;
        if (p >= len || !env_name_start(in[p])) {
            config_errorf(err, errlen, name, line,
                          "invalid environment variable reference: ${ must be followed by a "
                          "name of letters, digits and _");
            rc = -EINVAL;
            break;
        }
        while (p < len && env_name_char(in[p]))
            p++;
        size_t name_len = p - name_start;
        if (name_len >= ENV_NAME_MAX) {
            config_errorf(err, errlen, name, line, "environment variable name is too long");
            rc = -EINVAL;
            break;
        }
        char var[ENV_NAME_MAX];
        memcpy(var, in + name_start, name_len);
        var[name_len] = '\0';
        const char *def = NULL;
        size_t def_len = 0;
        if (p + 1 < len && in[p] == ':' && in[p + 1] == '-') {
            def = in + p + 2;
            p += 2;
            while (p < len && in[p] != '}')
                p++;
            def_len = (size_t)(in + p - def);
        }
        if (p >= len || in[p] != '}') {
            config_errorf(err, errlen, name, line,
                          "unterminated or malformed reference to environment variable %s "
                          "(use ${NAME} or ${NAME:-default})", var);
            rc = -EINVAL;
            break;
        }
        i = p + 1;
        const char *val = getenv(var);
        if (def && (!val || !*val)) {
            rc = out_append(&b, def, def_len);
        } else if (!val) {
            config_errorf(err, errlen, name, line,
                          "environment variable %s is not set (give a default with "
                          "${%s:-default})", var, var);
            rc = -EINVAL;
        } else {
            rc = out_append(&b, val, strlen(val));
        }
    }
    if (rc == PW_ELIMIT)
        config_errorf(err, errlen, name, line, "value is longer than %d bytes after substitution",
                      CONFIG_MAX_VALUE);
    else if (rc == -ENOMEM)
        config_errorf(err, errlen, name, line, "out of memory");
    if (rc < 0) {
        free(b.p);
        return rc;
    }
    *out = b.p;
    return 0;
}
