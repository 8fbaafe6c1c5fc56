#include "replay/replay_parse.h"

#include <errno.h>
#include <string.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int two_digits(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

int replay_parse_offset(const char *s, size_t len, int64_t *ms_out)
{
    if (len < REPLAY_OFFSET_LEN)
        return -EINVAL;
    static const char shape[] = "dd:dd:dd.ddd";
    for (size_t i = 0; i < REPLAY_OFFSET_LEN; i++) {
        if (shape[i] == 'd' ? !is_digit(s[i]) : s[i] != shape[i])
            return -EINVAL;
    }
    int h = two_digits(s), m = two_digits(s + 3), sec = two_digits(s + 6);
    int ms = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
    if (m >= 60 || sec >= 60)
        return -EINVAL;
    *ms_out = (((int64_t)h * 60 + m) * 60 + sec) * 1000 + ms;
    return 0;
}

/* "SS.fff" or "SS" with 1..3 fraction digits, seconds up to 5 digits; to ms. */
static int parse_seconds(const char *s, int64_t *ms_out)
{
    int64_t sec = 0;
    int n = 0;
    while (is_digit(*s)) {
        if (++n > 5)
            return -EINVAL;
        sec = sec * 10 + (*s++ - '0');
    }
    if (n == 0)
        return -EINVAL;
    int64_t frac = 0;
    if (*s == '.') {
        s++;
        int scale = 100, f = 0;
        while (is_digit(*s)) {
            if (++f > 3)
                return -EINVAL;
            frac += (*s++ - '0') * scale;
            scale /= 10;
        }
        if (f == 0)
            return -EINVAL;
    }
    if (*s != '\0')
        return -EINVAL;
    *ms_out = sec * 1000 + frac;
    return 0;
}

/* "M:SS.fff" or "SS.fff". */
static int parse_clock(const char *s, int64_t *ms_out)
{
    const char *colon = strchr(s, ':');
    if (!colon)
        return parse_seconds(s, ms_out);
    int64_t min = 0;
    int n = 0;
    for (const char *p = s; p < colon; p++) {
        if (!is_digit(*p) || ++n > 3)
            return -EINVAL;
        min = min * 10 + (*p - '0');
    }
    if (n == 0 || !is_digit(colon[1]) || !is_digit(colon[2]) || is_digit(colon[3]))
        return -EINVAL;
    int64_t sec_ms;
    if (parse_seconds(colon + 1, &sec_ms) < 0 || sec_ms >= 60000)
        return -EINVAL;
    *ms_out = min * 60000 + sec_ms;
    return 0;
}

int replay_parse_laptime(const char *s, int64_t *ms_out)
{
    int64_t ms;
    if (!s || parse_clock(s, &ms) < 0 || ms == 0)
        return -EINVAL;
    *ms_out = ms;
    return 0;
}

int replay_parse_gap(const char *s, int64_t *ms_out, int *laps_out)
{
    *ms_out = 0;
    *laps_out = 0;
    if (!s)
        return -EINVAL;
    if (*s == '\0')
        return 0;
    long n;
    if (strncmp(s, "LAP ", 4) == 0)
        return replay_parse_uint(s + 4, 9999, &n) < 0 ? -EINVAL : 0;
    if (*s == '+') {
        int64_t ms;
        if (parse_clock(s + 1, &ms) < 0)
            return -EINVAL;
        *ms_out = ms;
        return 0;
    }
    /* "1 L" or "15L": digits, an optional space, then 'L' and nothing after. */
    char digits[8];
    size_t i = 0;
    while (is_digit(s[i]) && i < sizeof digits - 1) {
        digits[i] = s[i];
        i++;
    }
    digits[i] = '\0';
    const char *rest = s + i;
    if (*rest == ' ')
        rest++;
    if (i == 0 || strcmp(rest, "L") != 0 || replay_parse_uint(digits, 9999, &n) < 0 || n == 0)
        return -EINVAL;
    *laps_out = (int)n;
    return 0;
}

int replay_parse_uint(const char *s, long max, long *out)
{
    if (!s || !is_digit(*s) || (s[0] == '0' && s[1] != '\0'))
        return -EINVAL;
    long v = 0;
    for (; *s; s++) {
        if (!is_digit(*s))
            return -EINVAL;
        v = v * 10 + (*s - '0');
        if (v > max)
            return -EINVAL;
    }
    *out = v;
    return 0;
}

bool replay_number_valid(const char *s)
{
    long n;
    return s && strlen(s) < 4 && replay_parse_uint(s, 999, &n) == 0 && n > 0;
}

void replay_copy_text(char *dst, size_t dstlen, const char *src)
{
    if (!src) {
        dst[0] = '\0';
        return;
    }
    size_t n = strnlen(src, dstlen);
    if (n >= dstlen) {
        n = dstlen - 1;
        /* Back off continuation bytes (10xxxxxx) so a multi-byte character is not cut. */
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}
