#include "CHeapUsage.h"
#if defined(__GLIBC__)
#include <malloc.h>

size_t cheapusage_bytes_in_use(void) {
    return mallinfo2().uordblks;
}
#endif
