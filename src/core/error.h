/* error.h — pitwall's error convention.
 *
 * Every function that can fail returns 0 on success or a negative errno-style code
 * (-EINVAL, -ENOMEM, ...). pitwall's own conditions that have no errno equivalent use
 * the PW_E* codes below, all negative and far from errno's range. */
#ifndef PW_CORE_ERROR_H
#define PW_CORE_ERROR_H

#include <errno.h>

enum {
    PW_EPARSE = -10001,   /* input could not be parsed (JSON, YAML, archive line) */
    PW_ERANGE_IN = -10002, /* input parsed but a value is out of its allowed range */
    PW_ELIMIT = -10003,   /* a configured bound was reached (queue, size, count) */
    PW_ESTATE = -10004,   /* operation not valid in the current state */
    PW_EUNKNOWN = -10005, /* a named thing (driver, race, topic) does not exist */
};

/* A human-readable text for any code this project returns (errno or PW_E*). */
const char *pw_strerror(int code);

#endif
