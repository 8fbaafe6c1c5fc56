/* hist.c — see hist.h. */
#include "hist.h"

void hist_add(struct hist *h, int64_t ms)
{
    if (ms < 0)
        ms = 0; /* same host, same clock: only rounding makes this negative */
    h->n++;
    h->sum += (double)ms;
    if (ms > h->max)
        h->max = ms;
    if (ms > HIST_MAX_MS)
        h->overflow++;
    else
        h->counts[ms]++;
}

int64_t hist_quantile(const struct hist *h, double q)
{
    if (h->n == 0)
        return -1;
    /* nearest rank: ceil(q * n) */
    double exact = q * (double)h->n;
    uint64_t want = (uint64_t)exact;
    if ((double)want < exact)
        want++;
    if (want == 0)
        want = 1;
    if (want > h->n)
        want = h->n;
    uint64_t seen = 0;
    for (int64_t ms = 0; ms <= HIST_MAX_MS; ms++) {
        seen += h->counts[ms];
        if (seen >= want)
            return ms;
    }
    return h->max;
}
