#include "core/utf8.h"

int pw_utf8_decode(const unsigned char *p, uint32_t *cp)
{
    /* The smallest code point each length may carry: a longer (overlong) form of a smaller
     * one would smuggle a NUL or a '/' past a byte-wise check. */
    static const uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    int n;
    uint32_t c;
    if ((p[0] & 0xE0) == 0xC0) {
        n = 2;
        c = p[0] & 0x1F;
    } else if ((p[0] & 0xF0) == 0xE0) {
        n = 3;
        c = p[0] & 0x0F;
    } else if ((p[0] & 0xF8) == 0xF0) {
        n = 4;
        c = p[0] & 0x07;
    } else {
        return 0;
    }
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3F);
    }
    if (c < min_for_len[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

size_t pw_utf8_prefix(const char *s, size_t max_bytes)
{
    size_t n = 0;
    while (s[n]) {
        uint32_t cp;
        int k = pw_utf8_decode((const unsigned char *)s + n, &cp);
        if (k == 0)
            k = 1;
        if (n + (size_t)k > max_bytes)
            break;
        n += (size_t)k;
    }
    return n;
}
