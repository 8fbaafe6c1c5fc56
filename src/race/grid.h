/* grid.h — the drivers of a race: loaded from a CSV grid file or from the grids built into
 * the binary (the CSV files in data/grids, embedded at build time).
 *
 * A `struct pw_grid` is plain fixed-size data owned by the caller; nothing to free.
 *
 * File format (UTF-8 text, one driver a line, at most PW_MAX_CARS):
 *   number,tla,name,team,team_color[,rating]
 * number 1..999 (unique), tla three letters A-Z (unique), team_color "#RRGGBB", rating an
 * integer 0..100 (car and driver pace; 80 when left out). A header line starting with
 * "number," and lines that are blank or start with '#' are skipped. */
#ifndef PW_RACE_GRID_H
#define PW_RACE_GRID_H

#include "core/timing.h"

#include <stddef.h>

#define GRID_RATING_DEFAULT 80
#define GRID_FILE_MAX (64 * 1024) /* a grid file larger than this is refused */

struct pw_grid {
    int n;
    struct pw_driver drivers[PW_MAX_CARS];
    int rating[PW_MAX_CARS]; /* 0..100, same index as drivers */
};

/* Parse grid text; `origin` names it in errors ("grid.csv"). On error returns PW_EPARSE,
 * PW_ERANGE_IN or -E2BIG and writes "origin:LINE: what is wrong" into err (if errlen > 0). */
int race_grid_parse_text(const char *text, const char *origin, struct pw_grid *out, char *err,
                         size_t errlen);
/* Read and parse a grid file. Errors as race_grid_parse_text, plus -errno when it can't be read
 * (err then says why). */
int race_grid_load_file(const char *path, struct pw_grid *out, char *err, size_t errlen);
/* A built-in grid: "2026" (the default, also for NULL or "") or "original" (10 drivers).
 * Returns 0 or -ENOENT. */
int race_grid_load_builtin(const char *name, struct pw_grid *out);
/* The driver with this full name (case-insensitive), three-letter abbreviation or racing
 * number, or NULL. The pointer points into `g`. */
const struct pw_driver *race_grid_find_by_name(const struct pw_grid *g, const char *name);

#endif
