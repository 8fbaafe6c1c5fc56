/* history_internal.h — the handle behind history.h, shared by src/history files only. */
#ifndef PW_HISTORY_INTERNAL_H
#define PW_HISTORY_INTERNAL_H

#include "history/history.h"

#include <sqlite3.h>

enum history_stmt {
    HST_BEGIN,
    HST_BEGIN_READ,
    HST_COMMIT,
    HST_ROLLBACK,
    HST_RACE_PUT,
    HST_RESULTS_DEL,
    HST_RESULT_PUT,
    HST_LIST,
    HST_RACE_GET,
    HST_RESULTS_GET,
    HST_COUNT,
    HST_COUNT_ALL /* number of statements */
};

struct history {
    sqlite3 *db;
    const struct pw_log *log;
    sqlite3_stmt *st[HST_COUNT_ALL];
};

/* Turn an SQLite result code into pitwall's (see history.h), logging SQLite's message with
 * `what`. */
int history_sqlite_error(const struct history *h, int rc, const char *what);

#endif
