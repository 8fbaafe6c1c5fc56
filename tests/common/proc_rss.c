#include "proc_rss.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long proc_rss_kb(int pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = atol(line + 6);
    }
    if (f)
        fclose(f);
    return kb;
}
