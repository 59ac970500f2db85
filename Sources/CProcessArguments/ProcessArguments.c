// The Swift standard library's source of `CommandLine.arguments`, as glibc provides it.
//
// On Linux the standard library (CommandLine.cpp) finds argv with a static initialiser that reads
// /proc/self/maps to locate the initial stack and walks back from `environ`: a file opened and parsed line by
// line in every process, before `main`, about 0.12M instructions and a /proc read on each cold start whether
// or not the function ever looks at its arguments. glibc hands the program's own constructors argc and argv
// (as it does `main`), so capturing them there costs nothing.
//
// The standard library asks for argv through `_swift_stdlib_getUnsafeArgvArgc` (and lets a JIT override it
// through `_swift_stdlib_overrideUnsafeArgvArgc`); its CommandLine.cpp defines both and nothing else. Linked
// statically (`--static-swift-stdlib`, as `lambda-local package` links), these definitions come first, so the
// linker never pulls that archive member, initialiser included, in. Linked against a shared libswiftCore,
// which binds its own, they are unused and its initialiser runs as usual. (Checked against Swift 6.3.1's
// libswiftCore.a: should a later CommandLine.cpp.o define a symbol something else needs, the member would be
// pulled in after all and the link would fail on these two, loudly.)
#include "CProcessArguments.h"

#include <stddef.h>
#include <stdlib.h> // glibc's features.h: __GLIBC__

static char **captured_arguments;
static int captured_count;
// A vector set through `_swift_stdlib_overrideUnsafeArgvArgc`, which takes precedence while set (as in the
// standard library's own implementation); NULL restores the captured one.
static char **override_arguments;
static int override_count;

#if defined(__linux__) && defined(__GLIBC__)
// glibc calls the executable's initialisers with main's arguments; the earliest priority runs this before any
// C++ static initialiser that might ask for them.
__attribute__((constructor(101), used)) static void capture_arguments(int argc, char **argv, char **envp) {
    (void)envp;
    captured_arguments = argv;
    captured_count = argc;
}
#endif

char *const *lambdasockets_process_arguments(int *count) {
    *count = captured_arguments ? captured_count : 0;
    return captured_arguments;
}

#if defined(__linux__) && defined(__GLIBC__) && __has_attribute(swiftcall)
#define SWIFT_STDLIB_ENTRY __attribute__((swiftcall, visibility("hidden"), used))

SWIFT_STDLIB_ENTRY char **_swift_stdlib_getUnsafeArgvArgc(int *outArgLen) {
    static char *no_arguments[] = {NULL};
    if (override_arguments) {
        *outArgLen = override_count;
        return override_arguments;
    }
    char *const *captured = lambdasockets_process_arguments(outArgLen);
    return captured ? (char **)captured : no_arguments;
}

SWIFT_STDLIB_ENTRY void _swift_stdlib_overrideUnsafeArgvArgc(char **argv, int argc) {
    override_arguments = argv;
    override_count = argc;
}
#endif
