#include "race/grid.h"

#include "core/error.h"
#include "race/race_data.h"
#include "race/text.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int grid_fail(char *err, size_t errlen, int code, const char *origin, int lineno,
                     const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int grid_fail(char *err, size_t errlen, int code, const char *origin, int lineno,
                     const char *fmt, ...)
{
    if (err && errlen > 0) {
        int n = snprintf(err, errlen, "%s:%d: ", origin, lineno);
        if (n >= 0 && (size_t)n < errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return code;
}

static int grid_is_color(const char *s)
{
    if (strlen(s) != 7 || s[0] != '#')
        return 0;
    for (int i = 1; i < 7; i++) {
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    }
    return 1;
}

static int grid_is_tla(const char *s)
{
    return strlen(s) == 3 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]) &&
           isupper((unsigned char)s[2]);
}

/* Checks one split line and fills driver `d`; returns 0 or an error via grid_fail. */
static int grid_parse_fields(char **f, int nf, struct pw_grid *g, const char *origin, int lineno,
                             char *err, size_t errlen)
{
    struct pw_driver *d = &g->drivers[g->n];
    long v;
    if (nf != 5 && nf != 6)
        return grid_fail(err, errlen, PW_EPARSE, origin, lineno,
                         "expected 5 or 6 comma-separated fields "
                         "(number,tla,name,team,team_color[,rating]), got %d",
                         nf);
    if (race_text_int(f[0], 1, 999, &v) != 0 || f[0][0] == '0')
        return grid_fail(err, errlen, PW_ERANGE_IN, origin, lineno,
                         "racing number \"%.8s\" is not a number from 1 to 999", f[0]);
    if (!grid_is_tla(f[1]))
        return grid_fail(err, errlen, PW_ERANGE_IN, origin, lineno,
                         "abbreviation \"%.8s\" is not three capital letters", f[1]);
    if (f[2][0] == '\0' || strlen(f[2]) >= PW_NAME_MAX)
        return grid_fail(err, errlen, PW_ERANGE_IN, origin, lineno,
                         "driver name must be 1 to %d bytes", PW_NAME_MAX - 1);
    if (f[3][0] == '\0' || strlen(f[3]) >= PW_TEAM_MAX)
        return grid_fail(err, errlen, PW_ERANGE_IN, origin, lineno,
                         "team name must be 1 to %d bytes", PW_TEAM_MAX - 1);
    if (!grid_is_color(f[4]))
        return grid_fail(err, errlen, PW_ERANGE_IN, origin, lineno,
                         "team colour \"%.16s\" is not #RRGGBB", f[4]);
    long rating = GRID_RATING_DEFAULT;
    if (nf == 6 && race_text_int(f[5], 0, 100, &rating) != 0)
        return grid_fail(err, errlen, PW_ERANGE_IN, origin, lineno,
                         "rating \"%.16s\" is not an integer from 0 to 100", f[5]);
    for (int i = 0; i < g->n; i++) {
        if (strcmp(g->drivers[i].number, f[0]) == 0)
            return grid_fail(err, errlen, PW_ERANGE_IN, origin, lineno,
                             "racing number %s is already used", f[0]);
        if (strcmp(g->drivers[i].tla, f[1]) == 0)
            return grid_fail(err, errlen, PW_ERANGE_IN, origin, lineno,
                             "abbreviation %s is already used", f[1]);
    }
    memset(d, 0, sizeof *d);
    snprintf(d->number, sizeof d->number, "%s", f[0]);
    snprintf(d->tla, sizeof d->tla, "%s", f[1]);
    snprintf(d->name, sizeof d->name, "%s", f[2]);
    snprintf(d->team, sizeof d->team, "%s", f[3]);
    snprintf(d->team_color, sizeof d->team_color, "%s", f[4]);
    for (int i = 1; i < 7; i++)
        d->team_color[i] = (char)toupper((unsigned char)d->team_color[i]);
    g->rating[g->n] = (int)rating;
    return 0;
}

int race_grid_parse_text(const char *text, const char *origin, struct pw_grid *out, char *err,
                         size_t errlen)
{
    char line[RACE_TEXT_LINE_MAX];
    char *f[RACE_TEXT_FIELDS_MAX];
    const char *cur = text;
    int lineno = 0;
    int rc;
    struct pw_grid g = {0};

    if (err && errlen > 0)
        err[0] = '\0';
    /* A UTF-8 byte order mark from a spreadsheet export is not part of the first field. */
    if (strncmp(cur, "\xEF\xBB\xBF", 3) == 0)
        cur += 3;
    while ((rc = race_text_next_line(&cur, line, sizeof line, &lineno)) != 0) {
        if (rc < 0)
            return grid_fail(err, errlen, -E2BIG, origin, lineno, "line longer than %d bytes",
                             RACE_TEXT_LINE_MAX - 1);
        if (race_text_is_blank(line) || strncasecmp(line, "number,", 7) == 0)
            continue;
        if (g.n == PW_MAX_CARS)
            return grid_fail(err, errlen, PW_ERANGE_IN, origin, lineno, "more than %d drivers",
                             PW_MAX_CARS);
        int nf = race_text_split(line, f, RACE_TEXT_FIELDS_MAX);
        if (nf < 0)
            return grid_fail(err, errlen, PW_EPARSE, origin, lineno, "too many fields");
        rc = grid_parse_fields(f, nf, &g, origin, lineno, err, errlen);
        if (rc != 0)
            return rc;
        g.n++;
    }
    if (g.n < 2)
        return grid_fail(err, errlen, PW_ERANGE_IN, origin, lineno,
                         "a grid needs at least 2 drivers, found %d", g.n);
    *out = g;
    return 0;
}

int race_grid_load_file(const char *path, struct pw_grid *out, char *err, size_t errlen)
{
    int rc = 0;
    char *text = NULL;
    char dummy[1];
    if (!err || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        rc = -errno;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto out;
    }
    text = malloc(GRID_FILE_MAX + 1);
    if (!text) {
        rc = -ENOMEM;
        snprintf(err, errlen, "%s: out of memory", path);
        goto out;
    }
    size_t n = fread(text, 1, GRID_FILE_MAX + 1, fp);
    if (ferror(fp)) {
        rc = -EIO;
        snprintf(err, errlen, "%s: read error", path);
        goto out;
    }
    if (n > GRID_FILE_MAX) {
        rc = -E2BIG;
        snprintf(err, errlen, "%s: larger than %d bytes", path, GRID_FILE_MAX);
        goto out;
    }
    text[n] = '\0';
    if (memchr(text, '\0', n)) {
        rc = PW_EPARSE;
        snprintf(err, errlen, "%s: contains a NUL byte; not a text file", path);
        goto out;
    }
    rc = race_grid_parse_text(text, path, out, err, errlen);
out:
    free(text);
    if (fp)
        fclose(fp);
    return rc;
}

int race_grid_load_builtin(const char *name, struct pw_grid *out)
{
    if (!name || !*name)
        name = "2026";
    for (int i = 0; i < race_data_grid_count; i++) {
        if (strcmp(race_data_grids[i].name, name) == 0)
            return race_grid_parse_text(race_data_grids[i].text, name, out, NULL, 0);
    }
    return -ENOENT;
}

const struct pw_driver *race_grid_find_by_name(const struct pw_grid *g, const char *name)
{
    if (!name || !*name)
        return NULL;
    for (int i = 0; i < g->n; i++) {
        const struct pw_driver *d = &g->drivers[i];
        if (strcasecmp(d->name, name) == 0 || strcasecmp(d->tla, name) == 0 ||
            strcmp(d->number, name) == 0)
            return d;
    }
    return NULL;
}
