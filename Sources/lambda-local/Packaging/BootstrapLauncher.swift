import ArgumentParser
import Foundation

/// The `bootstrap` at the root of the zip: the file Lambda runs to start a custom runtime.
///
/// It execs the bundled dynamic loader with `--library-path` naming the bundled `lib/`, so the function gets
/// the glibc and libraries it was built against (searched before `LD_LIBRARY_PATH`, which the loader then
/// ignores, and before the system directories), whatever the host's glibc version:
///
/// ```sh
/// exec "$root/lib/ld-linux-x86-64.so.2" --library-path "$root/lib" "$root/Handlers" "$@"
/// ```
///
/// where `root` is `$LAMBDA_TASK_ROOT` when set (the last one, if several), else the directory of the path
/// the bootstrap was executed by (what a script gets as `$0`: the kernel's `AT_EXECFN`), else `.`. That is a shell one-liner, but a shell costs a cold start 0.6 ms (dash) to 1.2 ms (bash, Amazon
/// Linux's `/bin/sh`) before the function starts, so the packager compiles it instead: a static executable of
/// about 2 KB with no libc, whose whole run is one `execve`. It is built from the C source below with the
/// Swift toolchain's clang, for the machine's architecture (x86_64 or arm64).
enum BootstrapLauncher {
    /// The C source of the launcher for `binary` (a file at the zip's root) started through `loader` (a file
    /// in `lib/`).
    static func source(binary: String, loader: String) throws -> String {
        for (what, name) in [("product", binary), ("loader", loader)] where !isPlainFileName(name) {
            throw ValidationError("the \(what) name '\(name)' cannot be a file name in the zip (use letters, digits, '.', '_', '-', '+')")
        }
        return template
            .replacingOccurrences(of: "@LOADER@", with: loader)
            .replacingOccurrences(of: "@BINARY@", with: binary)
    }

    /// Compiles the launcher to `destination` (stripped, executable).
    static func build(binary: String, loader: String, to destination: URL) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bootstrap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sourceFile = directory.appendingPathComponent("bootstrap.c")
        try source(binary: binary, loader: loader).write(to: sourceFile, atomically: true, encoding: .utf8)
        let clang = Toolchain.binDirectory.map { $0.appendingPathComponent("clang").path } ?? "clang"
        // The toolchain's lld when it has one (as the function's own link), not whichever linker clang defaults to.
        let linker = Toolchain.hasLLD ? ["-fuse-ld=lld"] : []
        try Shell.run(clang, compilerArguments + linker + ["-o", destination.path, sourceFile.path])
        try Shell.run("strip", [destination.path])
    }

    /// Freestanding, static, not position-independent: nothing for a loader to do, no libc to start.
    static let compilerArguments = [
        "-Os", "-static", "-nostdlib", "-ffreestanding", "-fno-builtin", "-fno-stack-protector", "-fno-pie",
        "-fno-asynchronous-unwind-tables", "-Wl,--build-id=none", "-Wall",
    ]

    private static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && name != "bootstrap" && name != "lib"
            && name.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._-+".unicodeScalars.contains(scalar))
            }
    }

    private static let template = #"""
        /* Lambda custom runtime entry point (provided.al2, provided.al2023), written by `lambda-local package`.
           Starts the function through the bundled dynamic loader, which takes glibc and every other shared
           library from lib/ (before LD_LIBRARY_PATH and the system's directories), as
             exec "$root/lib/@LOADER@" --library-path "$root/lib" "$root/@BINARY@" "$@"
           with root = $LAMBDA_TASK_ROOT, else this file's directory (from the path it was executed by, as a
           shell's $0 is), else ".". No libc: one execve. */
        #define LOADER "@LOADER@"
        #define BINARY "@BINARY@"
        #define PATH_LIMIT 4096
        #define AT_EXECFN 31

        #if defined(__x86_64__)
        enum { SYS_write = 1, SYS_execve = 59, SYS_exit = 60 };
        static long syscall3(long number, long a, long b, long c) {
            long result;
            __asm__ volatile("syscall" : "=a"(result) : "a"(number), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
            return result;
        }
        __asm__(".text\n.globl _start\n_start:\n xor %rbp, %rbp\n mov %rsp, %rdi\n and $-16, %rsp\n call launch\n hlt\n");
        #elif defined(__aarch64__)
        enum { SYS_write = 64, SYS_execve = 221, SYS_exit = 93 };
        static long syscall3(long number, long a, long b, long c) {
            register long x8 __asm__("x8") = number;
            register long x0 __asm__("x0") = a;
            register long x1 __asm__("x1") = b;
            register long x2 __asm__("x2") = c;
            __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
            return x0;
        }
        __asm__(".text\n.globl _start\n_start:\n mov x29, #0\n mov x0, sp\n bl launch\n brk #0\n");
        #else
        #error "bootstrap: x86_64 or arm64 only"
        #endif

        /* Reports "bootstrap: cannot <what> <path> (errno N)" and exits as a shell would: 127 when the file
           is missing (or nothing was tried), 126 when it cannot be executed. */
        __attribute__((noreturn)) static void fail(const char *what, const char *path, long error) {
            static const char prefix[] = "bootstrap: cannot ";
            static char message[PATH_LIMIT + 200];
            unsigned long length = 0;
            for (const char *p = prefix; *p; p++) message[length++] = *p;
            for (const char *p = what; *p && length < 120; p++) message[length++] = *p;
            for (const char *p = path; *p && length < PATH_LIMIT + 150; p++) message[length++] = *p;
            if (error < 0) {
                /* errno in decimal: 2 is ENOENT, 13 EACCES, 8 ENOEXEC. */
                const char *errno_text = " (errno ";
                for (const char *p = errno_text; *p; p++) message[length++] = *p;
                char digits[8];
                int count = 0;
                for (long value = -error; value > 0 && count < 7; value /= 10) digits[count++] = (char)('0' + value % 10);
                while (count > 0) message[length++] = digits[--count];
                message[length++] = ')';
            }
            message[length++] = '\n';
            syscall3(SYS_write, 2, (long)message, (long)length);
            syscall3(SYS_exit, error == 0 || error == -2 ? 127 : 126, 0, 0);
            __builtin_unreachable();
        }

        /* Appends root, then suffix, to buffer; fails rather than overflow. */
        static char *join(char *buffer, const char *root, unsigned long root_length, const char *suffix) {
            unsigned long suffix_length = 0;
            while (suffix[suffix_length]) suffix_length++;
            if (root_length + suffix_length >= PATH_LIMIT) fail("use a path that long: ", suffix, 0);
            char *end = buffer;
            for (unsigned long i = 0; i < root_length; i++) *end++ = root[i];
            for (unsigned long i = 0; i < suffix_length; i++) *end++ = suffix[i];
            *end = 0;
            return buffer;
        }

        static char loader_path[PATH_LIMIT], library_path[PATH_LIMIT], binary_path[PATH_LIMIT];

        __attribute__((used, noreturn)) void launch(long *stack) {
            long argc = stack[0];
            char **argv = (char **)(stack + 1);
            char **envp = argv + argc + 1;

            /* The last LAMBDA_TASK_ROOT counts, as in a shell; empty means unset. */
            const char *root = 0;
            char **entry = envp;
            for (; *entry; entry++) {
                const char *name = "LAMBDA_TASK_ROOT=", *value = *entry;
                while (*name && *name == *value) { name++; value++; }
                if (!*name) root = value;
            }
            unsigned long root_length = 0;
            if (root && !*root) root = 0;
            if (root) for (; root[root_length]; root_length++) {}
            if (!root) {
                /* The path this file was executed by (the auxiliary vector's AT_EXECFN), which is what a
                   shell script gets as $0; argv[0] when the kernel gives none. */
                const char *self = argc > 0 && argv[0] ? argv[0] : "";
                for (long *auxv = (long *)(entry + 1); auxv[0] != 0; auxv += 2) {
                    if (auxv[0] == AT_EXECFN && auxv[1]) self = (const char *)auxv[1];
                }
                unsigned long slash = 0;
                for (unsigned long i = 0; self[i]; i++) if (self[i] == '/') slash = i + 1;
                if (slash > 1) { root = self; root_length = slash - 1; }
                else if (slash == 1) { root = ""; root_length = 0; }  /* "/bootstrap": the root directory */
                else { root = "."; root_length = 1; }
            }

            char *arguments[argc + 5];
            long count = 0;
            arguments[count++] = join(loader_path, root, root_length, "/lib/" LOADER);
            arguments[count++] = "--library-path";
            arguments[count++] = join(library_path, root, root_length, "/lib");
            arguments[count++] = join(binary_path, root, root_length, "/" BINARY);
            for (long i = 1; i < argc; i++) arguments[count++] = argv[i];
            arguments[count] = 0;
            long error = syscall3(SYS_execve, (long)loader_path, (long)arguments, (long)envp);
            fail("execute ", loader_path, error);
        }
        """#
}
