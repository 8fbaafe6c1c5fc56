/* avro_positions.h — the Avro side of topic f1-driver-positions (docs/KAFKA.md).
 *
 * One record per car per positions tick: the original app's `LeaderboardUpdate` (driver_name,
 * position, timestamp, race_id) plus pitwall's fields, each with a default so that the
 * schema is a compatible new version and records written with the original schema still
 * read. Values travel in the Confluent wire format: magic byte 0, 4-byte big-endian schema
 * id, Avro binary body.
 *
 * Reading resolves writer → reader by field name: the writer's schema (fetched from the
 * registry by id, see avro_schema_cache.h) decodes the body, and each field pitwall knows
 * is taken from it when present (int widens to long, a ["null", T] union unwraps), or its
 * default when not. Before Avro C touches a body it is walked against the writer schema by
 * avro_positions_validate(), so that corrupt lengths can never make Avro C allocate
 * gigabytes or loop: untrusted bytes are bounded first.
 *
 * Ownership: struct avro_positions owns its parsed schema and Avro C objects; destroy frees
 * them. Encoded bodies are written into caller buffers. */
#ifndef PW_BUS_AVRO_POSITIONS_H
#define PW_BUS_AVRO_POSITIONS_H

#include "core/event.h"

#include <avro.h>
#include <stddef.h>
#include <stdint.h>

#define AVRO_POSITIONS_SUBJECT "f1-driver-positions-value"
#define AVRO_WIRE_HEADER 5      /* magic byte + 4-byte schema id */
#define AVRO_WIRE_MAGIC 0
#define AVRO_POSITIONS_MAX 2048 /* an encoded record is far smaller; bigger is refused */

/* The schema pitwall registers and writes with (JSON text). */
extern const char avro_positions_schema_json[];
/* The original app's schema, kept to prove old records still read (tests, docs). */
extern const char avro_positions_original_schema_json[];

/* One decoded record: one car plus the tick it belongs to. */
struct avro_positions_record {
    char race_id[PW_RACE_ID_MAX]; /* "" when the writer had null */
    uint64_t seq;                 /* 0: written by the original schema (no tick numbering) */
    int n_cars;                   /* 0 when unknown */
    int64_t timestamp;            /* ms, the original's field */
    struct pw_car car;            /* driver name, position and pitwall's figures */
    int lap;
    int total_laps;
    enum pw_track_status track;
    int64_t race_ms;
    int64_t server_ms;
    char fastest_number[PW_NUMBER_MAX];
    int64_t fastest_lap_ms;
    bool started;
    bool race_finished;
    char circuit[PW_NAME_MAX];
    char session[PW_NAME_MAX];
    /* practice and qualifying (race defaults otherwise) */
    enum pw_session_kind kind;
    int64_t clock_ms;
    bool clock_running;
    int session_part;
    int cutoff_position;
    /* weather: rain_chance -1 when the source does not know it */
    int rain_chance;
    bool raining;
    int track_wetness;
    /* penalties: whether the car's penalty fields mean something (a simulation with the
     * stewards on); the fields themselves are in `car` */
    bool penalties_known;
    /* damage: whether the car's `damage` means something (a simulation) */
    bool damage_known;
};

struct avro_positions {
    avro_schema_t schema;
    avro_value_iface_t *iface;
    avro_value_t value;     /* reused for every encode */
    avro_writer_t writer;   /* memory writer, re-pointed per encode */
};

int avro_positions_init(struct avro_positions *ap);
void avro_positions_destroy(struct avro_positions *ap);

/* Encodes car `index` of the positions tick `ev` (ev->state set, ev->race_id, ev->seq) as an
 * Avro body (no wire header) into buf. Returns the body length or a negative error
 * (-ENOSPC when buf is too small). */
int avro_positions_encode(struct avro_positions *ap, const struct pw_event *ev, int index,
                          char *buf, size_t len);

/* Writes the Confluent wire header for schema `id` into buf[0..4]. */
void avro_wire_header_put(char *buf, int32_t id);
/* Parses a wire header: 0 and *id, or PW_EPARSE (too short or magic byte not 0). */
int avro_wire_header_get(const void *buf, size_t len, int32_t *id);

/* Checks that `len` bytes are exactly one well-formed datum of `schema`: every length and
 * union index in range, nothing left over, bounded nesting and element counts. 0 or
 * PW_EPARSE. */
int avro_positions_validate(avro_schema_t schema, const void *buf, size_t len);

/* Is `schema` a record this module can read (driver_name string, position int, timestamp
 * long or int)? 0 or PW_EUNKNOWN. */
int avro_positions_check_schema(avro_schema_t schema);

/* Where each field pitwall reads sits in a writer's record (-1: the writer lacks it, so the
 * reader's default applies). Computed once per writer schema. */
enum avro_positions_field {
    APF_DRIVER_NAME, APF_POSITION, APF_TIMESTAMP, APF_RACE_ID, APF_SEQ, APF_N_CARS, APF_NUMBER,
    APF_TLA, APF_TEAM, APF_TEAM_COLOR, APF_LAPS, APF_GAP_MS, APF_GAP_LAPS, APF_INTERVAL_MS,
    APF_INTERVAL_LAPS, APF_LAST_LAP_MS, APF_BEST_LAP_MS, APF_BEST_LAP_NO, APF_SECTORS_MS,
    APF_TYRE, APF_TYRE_AGE, APF_TYRE_NEW, APF_PIT_STOPS, APF_IN_PIT, APF_RETIRED, APF_FINISHED,
    APF_LAP, APF_TOTAL_LAPS, APF_TRACK_STATUS, APF_RACE_MS, APF_SERVER_MS, APF_FASTEST_NUMBER,
    APF_FASTEST_LAP_MS, APF_STARTED, APF_RACE_FINISHED, APF_CIRCUIT, APF_SESSION,
    APF_BEST_SECTORS_MS, APF_STINTS, APF_PART_BEST_MS, APF_KNOCKED_OUT_PART, APF_DELETED_LAPS,
    APF_KIND, APF_CLOCK_MS, APF_CLOCK_RUNNING, APF_SESSION_PART, APF_CUTOFF_POSITION,
    APF_RAIN_CHANCE, APF_RAINING, APF_TRACK_WETNESS, APF_PENALTIES_KNOWN, APF_PENALTY_S,
    APF_DRIVE_THROUGH, APF_BLACK_WHITE, APF_DAMAGE_KNOWN, APF_DAMAGE, APF_COUNT
};
struct avro_positions_layout {
    int index[APF_COUNT];
};
void avro_positions_layout_init(avro_schema_t writer, struct avro_positions_layout *out);

/* Decodes a validated body read into `value` (a generic value of the writer schema) into
 * *out. Returns 0, PW_EPARSE if Avro C refuses the body, PW_ERANGE_IN if a value is out of
 * range (position, n_cars, race id too long). */
int avro_positions_decode(avro_value_t *value, const void *buf, size_t len,
                          struct avro_positions_record *out);
/* The same with the writer's layout and a memory reader kept by the caller (the hot path:
 * no name lookups, no allocation). */
int avro_positions_decode_with(avro_value_t *value, const struct avro_positions_layout *layout,
                               avro_reader_t reader, const void *buf, size_t len,
                               struct avro_positions_record *out);

#endif
