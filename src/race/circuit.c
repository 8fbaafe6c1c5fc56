#include "race/circuit.h"

#include "core/error.h"
#include "race/race_data.h"
#include "race/text.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int race_circuit_parse_fields(char **f, int nf, struct race_circuit *out)
{
    long v[9];
    static const long lo[9] = {1000, 1, 30000, 5000, 0, 0, 10, 10, 10};
    static const long hi[9] = {10000, 200, 200000, 60000, 100, 500, 300, 60, 60};
    struct race_circuit c = {0};

    if (nf != 12)
        return PW_EPARSE;
    if (f[0][0] == '\0' || strlen(f[0]) >= sizeof c.id || f[1][0] == '\0' ||
        strlen(f[1]) >= sizeof c.name)
        return PW_ERANGE_IN;
    if (strcmp(f[2], "street") == 0)
        c.kind = RACE_CIRCUIT_STREET;
    else if (strcmp(f[2], "permanent") == 0)
        c.kind = RACE_CIRCUIT_PERMANENT;
    else
        return PW_ERANGE_IN;
    for (int i = 0; i < 9; i++) {
        if (race_text_int(f[3 + i], lo[i], hi[i], &v[i]) != 0)
            return PW_ERANGE_IN;
    }
    if (v[7] + v[8] >= 90)
        return PW_ERANGE_IN;
    snprintf(c.id, sizeof c.id, "%s", f[0]);
    snprintf(c.name, sizeof c.name, "%s", f[1]);
    c.length_m = (int)v[0];
    c.laps = (int)v[1];
    c.lap_ms = v[2];
    c.pit_loss_ms = v[3];
    c.overtaking = (int)v[4];
    c.incidents = (int)v[5];
    c.tyre_wear = (int)v[6];
    c.sector_pct[0] = (int)v[7];
    c.sector_pct[1] = (int)v[8];
    c.sector_pct[2] = 100 - (int)(v[7] + v[8]);
    *out = c;
    return 0;
}

/* Calls `visit` on each data line of the built-in table until it returns non-zero. */
static int circuit_scan(int (*visit)(void *ctx, int index, struct race_circuit *c), void *ctx)
{
    char line[RACE_TEXT_LINE_MAX];
    char *f[RACE_TEXT_FIELDS_MAX];
    const char *cur = race_data_circuits;
    int lineno = 0, index = 0, rc;

    while ((rc = race_text_next_line(&cur, line, sizeof line, &lineno)) != 0) {
        if (rc < 0 || race_text_is_blank(line) || strncmp(line, "id,", 3) == 0)
            continue;
        int nf = race_text_split(line, f, RACE_TEXT_FIELDS_MAX);
        struct race_circuit c;
        /* The table is ours and checked by a test; a bad line is skipped, not fatal. */
        if (nf < 0 || race_circuit_parse_fields(f, nf, &c) != 0)
            continue;
        rc = visit(ctx, index++, &c);
        if (rc != 0)
            return rc;
    }
    return 0;
}

struct circuit_query {
    const char *id;
    int index;
    struct race_circuit *out;
};

static int circuit_match(void *ctx, int index, struct race_circuit *c)
{
    struct circuit_query *q = ctx;
    if ((q->id && strcasecmp(q->id, c->id) == 0) || (!q->id && q->index == index)) {
        *q->out = *c;
        return 1;
    }
    return 0;
}

static int circuit_count_one(void *ctx, int index, struct race_circuit *c)
{
    (void)index;
    (void)c;
    (*(int *)ctx)++;
    return 0;
}

int race_circuit_load_builtin(const char *id, struct race_circuit *out)
{
    struct circuit_query q = {.id = (id && *id) ? id : NULL, .index = 0, .out = out};
    return circuit_scan(circuit_match, &q) == 1 ? 0 : -ENOENT;
}

int race_circuit_count_builtin(void)
{
    int n = 0;
    circuit_scan(circuit_count_one, &n);
    return n;
}

int race_circuit_builtin_at(int i, struct race_circuit *out)
{
    if (i < 0)
        return -ENOENT;
    struct circuit_query q = {.id = NULL, .index = i, .out = out};
    return circuit_scan(circuit_match, &q) == 1 ? 0 : -ENOENT;
}
