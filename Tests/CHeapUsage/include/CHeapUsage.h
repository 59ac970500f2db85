#ifndef CHEAPUSAGE_H
#define CHEAPUSAGE_H
#include <stddef.h>
#include <stdlib.h>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
/// Bytes of heap in use by the process (glibc's mallinfo2 uordblks, all arenas); tests compare two readings.
size_t cheapusage_bytes_in_use(void);
#endif

#endif
