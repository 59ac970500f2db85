#ifndef C_MAIN_THREAD_H
#define C_MAIN_THREAD_H

// What the runtime's invocation thread needs from the C side: whether it is the main thread, an eventfd to be
// woken through, and the hooks through which a run loop on the main thread serves the main dispatch queue
// (and so the main actor), as Foundation's RunLoop does on Linux.

/// Whether the calling thread is the process's main thread.
int lambdasockets_is_main_thread(void);

/// A new non-blocking, close-on-exec eventfd, or -1.
int lambdasockets_eventfd(void);

/// Before `dispatch_main` is called the main queue is bound to the main thread: libdispatch signals this file
/// descriptor (an eventfd) when work is queued there. -1 where the platform has no such descriptor.
int lambdasockets_main_queue_descriptor(void);

/// Runs what is queued on the main dispatch queue. Call only on the main thread.
void lambdasockets_drain_main_queue(void);

#endif
