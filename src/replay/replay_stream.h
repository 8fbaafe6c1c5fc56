/* replay_stream.h — one topic file of an archive session (`<Topic>.jsonStream`), loaded
 * into memory and split into lines.
 *
 * Layout: an optional UTF-8 BOM, then lines ending in CRLF (LF alone is accepted), each
 * "HH:MM:SS.mmm" followed at once by a JSON delta. Indexing only checks the offset and the
 * length; the JSON is parsed later, when the line is merged. Lines that cannot be used are
 * skipped and counted: empty lines (ignored, not counted), lines over the length bound,
 * lines with a malformed offset. A line whose offset is earlier than the line before it is
 * kept, in file order (deltas depend on order), at the previous line's offset, and counted
 * as out of order.
 *
 * Ownership: a stream owns its buffer and line index; free with replay_stream_free. Line
 * text stays valid until then. */
#ifndef PW_REPLAY_STREAM_H
#define PW_REPLAY_STREAM_H

#include "core/log.h"

#include <stddef.h>
#include <stdint.h>

/* The largest topic file accepted (TimingData of a full Grand Prix is ~10 MB). */
#define REPLAY_MAX_FILE_BYTES (256u * 1024 * 1024)

struct replay_line {
    int64_t offset_ms; /* from the session's start */
    uint32_t start;    /* JSON text: buf + start, `len` bytes (offset and CR excluded) */
    uint32_t len;
};

struct replay_read_stats {
    uint64_t lines_read; /* non-empty lines seen */
    uint64_t skipped_bad_offset;
    uint64_t skipped_too_long;
    uint64_t out_of_order;
};

struct replay_stream {
    char *buf;
    size_t buf_len;
    struct replay_line *lines;
    size_t n_lines;
};

/* Indexes a copy of `data` (`len` bytes). `max_line_bytes` bounds one line, offset
 * included. `name` only labels log lines. Returns 0, -ENOMEM or PW_ELIMIT (too big). */
int replay_stream_load_buffer(struct replay_stream *s, const char *data, size_t len,
                              size_t max_line_bytes, const char *name,
                              struct replay_read_stats *stats, const struct pw_log *log);

/* Reads and indexes the file at `path`. -ENOENT when it does not exist (a missing topic);
 * other negative codes with a message in `err` for files that exist but cannot be used. */
int replay_stream_load_file(struct replay_stream *s, const char *path, size_t max_line_bytes,
                            struct replay_read_stats *stats, const struct pw_log *log, char *err,
                            size_t errlen);

void replay_stream_free(struct replay_stream *s);

#endif
