#include "core/mem.h"

#include <stdlib.h> /* defines __GLIBC__ on glibc */
#ifdef __GLIBC__
#include <malloc.h>
#endif

void pw_mem_give_back(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}
