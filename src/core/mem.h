/* mem.h — hand memory the process has freed back to the system.
 *
 * glibc's malloc keeps freed memory for reuse and gives back by itself only the top of its
 * heap. Memory freed below a block still in use (a flood of connections gone, a finished
 * race's event log let go of) stays resident, however little is in use, until malloc_trim
 * releases its whole pages. The parts that free much at once call this after doing so; it
 * walks the free blocks, so it is called after large frees, never per small one.
 *
 * Owns nothing. Without glibc: does nothing. */
#ifndef PW_CORE_MEM_H
#define PW_CORE_MEM_H

void pw_mem_give_back(void);

#endif
