/* hist.h — a millisecond latency histogram (0..HIST_MAX_MS, then one overflow bucket). */
#ifndef PW_BENCH_HIST_H
#define PW_BENCH_HIST_H

#include <stdint.h>

#define HIST_MAX_MS 60000

struct hist {
    uint64_t n;
    uint64_t overflow;
    int64_t max;
    double sum;
    uint64_t counts[HIST_MAX_MS + 1];
};

void hist_add(struct hist *h, int64_t ms);
/* The smallest value v with at least q of the samples <= v (q in 0..1); -1 when empty. */
int64_t hist_quantile(const struct hist *h, double q);

#endif
