#include "CMainThread.h"

#if defined(__linux__)
#define _GNU_SOURCE
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

// libdispatch's run-loop integration (swift-corelibs-libdispatch, DISPATCH_COCOA_COMPAT): on Linux the
// main queue's handle is an eventfd.
extern int _dispatch_get_main_queue_handle_4CF(void);
extern void _dispatch_main_queue_callback_4CF(void *message);

int lambdasockets_is_main_thread(void) { return getpid() == (pid_t)syscall(SYS_gettid); }

int lambdasockets_eventfd(void) { return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }

int lambdasockets_main_queue_descriptor(void) { return _dispatch_get_main_queue_handle_4CF(); }

void lambdasockets_drain_main_queue(void) { _dispatch_main_queue_callback_4CF((void *)0); }
#else
int lambdasockets_is_main_thread(void) { return 0; }

int lambdasockets_eventfd(void) { return -1; }

int lambdasockets_main_queue_descriptor(void) { return -1; }

void lambdasockets_drain_main_queue(void) {}
#endif
