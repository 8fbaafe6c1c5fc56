/* cm_stewards.c — the stewards' penalty notes read from race control's text. */
#include "commentary/cm_stewards.h"

#include <errno.h>
#include <string.h>

#define MAX_SECONDS 999 /* no time penalty is longer; more digits are no note of ours */

/* The text after `prefix`, or NULL when `s` does not start with it. */
static const char *after(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

/* 1 to 3 digits, not 0. */
static const char *read_seconds(const char *p, int *out)
{
    int v = 0, digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 4) {
        v = v * 10 + (*p++ - '0');
        digits++;
    }
    if (digits == 0 || v == 0 || v > MAX_SECONDS)
        return NULL;
    *out = v;
    return p;
}

/* "CAR 44" and an optional " (HAM)": the racing number into `number`. */
static const char *read_car(const char *p, char *number, size_t len)
{
    p = after(p, "CAR ");
    size_t n = 0;
    while (p && p[n] >= '0' && p[n] <= '9')
        n++;
    if (!p || n == 0 || n >= len)
        return NULL;
    memcpy(number, p, n);
    number[n] = '\0';
    p += n;
    if (p[0] == ' ' && p[1] == '(') {
        const char *close = strchr(p, ')');
        if (!close)
            return NULL;
        p = close + 1;
    }
    return p;
}

/* The reason after " - ", as far as it is one the lines can say. */
static enum cm_penalty_reason read_reason(const char *p)
{
    static const struct {
        const char *text;
        enum cm_penalty_reason reason;
    } reasons[] = {{"CAUSING A COLLISION", CM_REASON_COLLISION},
                   {"TRACK LIMITS", CM_REASON_TRACK_LIMITS},
                   {"UNSAFE RELEASE", CM_REASON_UNSAFE_RELEASE},
                   {"IGNORING BLUE FLAGS", CM_REASON_BLUE_FLAGS}};
    p = after(p, " - ");
    for (size_t i = 0; p && i < sizeof reasons / sizeof reasons[0]; i++) {
        if (strcmp(p, reasons[i].text) == 0)
            return reasons[i].reason;
    }
    return CM_REASON_NONE;
}

/* "5 SECOND TIME PENALTY FOR CAR 81 (PIA)" or "DRIVE THROUGH PENALTY FOR CAR 18 (STR)". */
static const char *read_penalty(const char *p, struct cm_steward_note *out)
{
    const char *q = after(p, "DRIVE THROUGH PENALTY FOR ");
    if (q)
        return read_car(q, out->number, sizeof out->number);
    p = read_seconds(p, &out->seconds);
    p = p ? after(p, " SECOND TIME PENALTY FOR ") : NULL;
    return p ? read_car(p, out->number, sizeof out->number) : NULL;
}

int cm_stewards_read(const char *text, struct cm_steward_note *out)
{
    const char *p;
    memset(out, 0, sizeof *out);
    if (!text)
        return -EINVAL;
    if ((p = after(text, "FIA STEWARDS: PENALTY SERVED - "))) {
        out->fact = CM_FACT_PENALTY_SERVED;
        p = read_penalty(p, out);
    } else if ((p = after(text, "FIA STEWARDS: "))) {
        p = read_penalty(p, out);
        out->fact = out->seconds ? CM_FACT_PENALTY : CM_FACT_DRIVE_THROUGH;
    } else if ((p = after(text, "BLACK AND WHITE FLAG FOR "))) {
        out->fact = CM_FACT_BLACK_WHITE;
        p = read_car(p, out->number, sizeof out->number);
    } else {
        out->fact = CM_FACT_PENALTY_ADDED;
        p = read_car(text, out->number, sizeof out->number);
        p = p ? after(p, " ") : NULL;
        p = p ? read_seconds(p, &out->seconds) : NULL;
        p = p ? after(p, " SECONDS ADDED TO RACE TIME") : NULL;
        if (p && *p)
            p = NULL;
    }
    if (!p) {
        memset(out, 0, sizeof *out);
        return -EINVAL;
    }
    out->reason = read_reason(p);
    return 0;
}
