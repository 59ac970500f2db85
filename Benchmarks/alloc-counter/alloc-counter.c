// Counts heap allocations: preload it (LD_PRELOAD=.../alloc-counter.so) and read the count in-process through
// `lambdasockets_allocation_count`, found with dlsym, before and after the code under measurement.
//
// Every allocating entry point of the C library is counted (malloc, calloc, realloc, the aligned variants);
// frees are not. The real allocator does the work: glibc's __libc_* entry points, so no dlsym recursion.
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

static uint64_t allocations;

static inline void count_one(void) { __atomic_fetch_add(&allocations, 1, __ATOMIC_RELAXED); }

uint64_t lambdasockets_allocation_count(void) { return __atomic_load_n(&allocations, __ATOMIC_RELAXED); }

void *malloc(size_t size) {
    count_one();
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    count_one();
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    count_one();
    return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size) {
    count_one();
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    count_one();
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
    count_one();
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *result = pointer;
    return 0;
}

// For processes that cannot read the count themselves (a function under the benchmark mock): with
// LAMBDASOCKETS_ALLOCATION_REPORT=<file> set, the count is written to that file when the process exits.
extern char *getenv(const char *name);
#include <stdio.h>

__attribute__((destructor)) static void lambdasockets_report_allocations(void) {
    const char *path = getenv("LAMBDASOCKETS_ALLOCATION_REPORT");
    if (path == NULL) return;
    unsigned long long count = (unsigned long long)lambdasockets_allocation_count();
    FILE *file = fopen(path, "w");
    if (file == NULL) return;
    fprintf(file, "%llu\n", count);
    fclose(file);
}
