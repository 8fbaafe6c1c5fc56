#include "core/error.h"

#include <string.h>

const char *pw_strerror(int code)
{
    switch (code) {
    case 0:
        return "ok";
    case PW_EPARSE:
        return "parse error";
    case PW_ERANGE_IN:
        return "value out of range";
    case PW_ELIMIT:
        return "limit reached";
    case PW_ESTATE:
        return "invalid state";
    case PW_EUNKNOWN:
        return "unknown name";
    default:
        return code < 0 ? strerror(-code) : "unknown error";
    }
}
