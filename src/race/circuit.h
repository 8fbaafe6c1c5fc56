/* circuit.h — the circuits a simulated race can run on, built into the binary from
 * data/circuits/circuits.csv (embedded at build time; see that file for the columns).
 *
 * A `struct race_circuit` is plain data the caller owns; nothing to free. */
#ifndef PW_RACE_CIRCUIT_H
#define PW_RACE_CIRCUIT_H

#include <stdint.h>

enum race_circuit_kind { RACE_CIRCUIT_PERMANENT = 0, RACE_CIRCUIT_STREET };

struct race_circuit {
    char id[32];   /* "bahrain" */
    char name[48]; /* "Bahrain International Circuit" */
    enum race_circuit_kind kind;
    int length_m;
    int laps;            /* Grand Prix distance */
    int64_t lap_ms;      /* typical green-flag race lap, fuel effect excluded */
    int64_t pit_loss_ms; /* pit lane drive-through plus a normal stop */
    int overtaking;      /* difficulty: 0 easy .. 100 nearly impossible */
    int incidents;       /* expected SC/VSC neutralisations per Grand Prix, x100 */
    int tyre_wear;       /* 100 = average */
    int sector_pct[3];   /* share of the lap per sector, sums to 100 */
};

/* Parse one data line (already split into `nf` fields) into `out`. Returns 0 or
 * PW_ERANGE_IN / PW_EPARSE. Used on the built-in table; exposed for tests. */
int race_circuit_parse_fields(char **f, int nf, struct race_circuit *out);
/* The built-in circuit with this id; NULL or "" gives the default (the first, Bahrain).
 * Returns 0 or -ENOENT. */
int race_circuit_load_builtin(const char *id, struct race_circuit *out);
int race_circuit_count_builtin(void);
/* The i-th built-in circuit (0-based). Returns 0 or -ENOENT. */
int race_circuit_builtin_at(int i, struct race_circuit *out);

#endif
