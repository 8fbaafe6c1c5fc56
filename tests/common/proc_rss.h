/* proc_rss.h — a process's resident memory as Linux reports it (VmRSS in /proc/PID/status),
 * for the tests and benchmarks that hold pitwall to a memory budget: the integration and
 * hostile harness, and the soak benchmark. */
#ifndef PW_TESTS_PROC_RSS_H
#define PW_TESTS_PROC_RSS_H

/* VmRSS of `pid` in KiB, or -1 when it cannot be read (no such process). */
long proc_rss_kb(int pid);

#endif
