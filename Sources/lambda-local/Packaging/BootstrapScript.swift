import ArgumentParser

/// The `bootstrap` at the root of the zip: the file Lambda runs to start a custom runtime.
///
/// It execs the bundled dynamic loader with `--library-path` naming the bundled `lib/`, so the function gets
/// the glibc and libraries it was built against (searched before `LD_LIBRARY_PATH`, which the loader
/// then ignores, and before the system directories), whatever the host's glibc version. It uses only POSIX
/// shell (busybox `sh`, dash and bash all run it) and no other program. The repository's top-level
/// `bootstrap` is this script for the `Handlers` product on x86_64.
enum BootstrapScript {
    /// The script for `binary` (a file at the zip's root) started through `loader` (a file in `lib/`).
    static func text(binary: String, loader: String) throws -> String {
        for (what, name) in [("product", binary), ("loader", loader)] where !isPlainFileName(name) {
            throw ValidationError("the \(what) name '\(name)' cannot be a file name in the zip (use letters, digits, '.', '_', '-', '+')")
        }
        return """
            #!/bin/sh
            # Lambda custom runtime entry point (provided.al2, provided.al2023), written by `lambda-local package`.
            # Starts the function through the bundled dynamic loader, which takes glibc and every other shared
            # library from lib/ (before LD_LIBRARY_PATH and the system's directories): the function runs the same
            # whatever the host's glibc.
            case "$0" in */*) here="${0%/*}" ;; *) here=. ;; esac
            root="${LAMBDA_TASK_ROOT:-$here}"
            exec "$root/lib/\(loader)" --library-path "$root/lib" "$root/\(binary)" "$@"

            """
    }

    private static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && name != "bootstrap" && name != "lib"
            && name.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._-+".unicodeScalars.contains(scalar))
            }
    }
}
