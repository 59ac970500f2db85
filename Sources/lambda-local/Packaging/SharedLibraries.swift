import ArgumentParser
import Foundation

/// The shared libraries a dynamically linked executable loads, as the build machine's `ldd` resolves them.
struct SharedLibraries {
    /// One library: the name the loader looks for (`libcurl.so.4`) and the file it resolved to.
    struct Library: Equatable {
        var name: String
        var path: String
    }

    /// The dynamic loader (`ld-linux-x86-64.so.2` on x86_64, `ld-linux-aarch64.so.1` on arm64).
    var loader: Library
    /// Every other library, transitively (libcurl and its dependencies, glibc's libraries, libstdc++ …).
    var libraries: [Library]

    /// Every file to bundle: the libraries and the loader.
    var all: [Library] { libraries + [loader] }

    /// Runs `ldd` on `binary`. Libraries in `preferredDirectory` (a replacement libcurl) are taken before the
    /// system's, as `LD_LIBRARY_PATH` makes the loader do.
    static func of(_ binary: String, preferring preferredDirectory: URL? = nil) throws -> SharedLibraries {
        let listing: String
        do {
            listing = try Shell.output(
                "ldd", [binary], environment: preferredDirectory.map { ["LD_LIBRARY_PATH": $0.path] } ?? [:])
        } catch {
            throw ValidationError("cannot list the shared libraries of \(binary) (is it a dynamically linked ELF executable?): \(error)")
        }
        return try parse(lddOutput: listing, binary: binary)
    }

    /// Reads `ldd` (or `ld.so --list`) output: `libcurl.so.4 => /lib/…/libcurl.so.4 (0x…)` lines, the loader's
    /// own `/lib64/ld-linux-x86-64.so.2 (0x…)` line, and the kernel's `linux-vdso.so.1 (0x…)`, which is no file.
    static func parse(lddOutput: String, binary: String) throws -> SharedLibraries {
        var loader: Library?
        var libraries: [Library] = []
        for rawLine in lddOutput.split(separator: "\n") {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            let parts = line.split(separator: " ")
            if line.contains("not found") {
                throw ValidationError("\(binary) needs a library this machine does not have: \(line)")
            } else if let arrow = parts.firstIndex(of: "=>"), arrow + 1 < parts.count {
                let name = String(parts[0])
                let path = String(parts[arrow + 1])
                if name.hasPrefix("/") {
                    // The loader run directly with `--list`: `/lib64/ld-linux-x86-64.so.2 => ./lib/ld-linux-x86-64.so.2`.
                    loader = Library(name: URL(fileURLWithPath: name).lastPathComponent, path: path)
                } else if path.hasPrefix("/") {
                    libraries.append(Library(name: name, path: path))
                }
            } else if let first = parts.first, first.hasPrefix("/") {
                loader = Library(name: URL(fileURLWithPath: String(first)).lastPathComponent, path: String(first))
            }
        }
        guard let loader else {
            throw ValidationError("ldd names no dynamic loader for \(binary); only dynamically linked executables can be packaged")
        }
        // The loader may also appear as a dependency of libc (`ld-linux-x86-64.so.2 => /lib64/…`): keep it once.
        return SharedLibraries(loader: loader, libraries: libraries.filter { $0.name != loader.name })
    }

    /// Checks that the bundled loader, searching only `libraryDirectory`, finds every library of `binary` there and
    /// binds every symbol and symbol version the binary and the libraries need.
    ///
    /// This is what the `bootstrap` does on Lambda, so a library that resolved anywhere else here (a name `ldd`
    /// did not report, a file that failed to copy) would be missing there, and a symbol a substituted library
    /// (the minimal libcurl) lacks would stop the function at its first call. The loader traces the objects it
    /// loads and relocates them all at once (`LD_BIND_NOW`), as `ldd -r` does, reporting what it cannot bind.
    static func verifyClosed(binary: URL, libraryDirectory: URL, loaderName: String) throws {
        let loader = libraryDirectory.appendingPathComponent(loaderName).path
        let (listing, problems) = try Shell.capture(
            loader, ["--library-path", libraryDirectory.path, binary.path],
            environment: ["LD_TRACE_LOADED_OBJECTS": "1", "LD_BIND_NOW": "1", "LD_WARN": "yes"])
        let unbound = (listing + "\n" + problems).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            $0.hasPrefix("undefined symbol:") || $0.hasPrefix("symbol ") || $0.contains("version `") || $0.contains("not found")
        }
        guard unbound.isEmpty else {
            throw ValidationError("the bundled libraries do not provide what \(binary.lastPathComponent) needs:\n" + unbound.joined(separator: "\n"))
        }
        let prefix = libraryDirectory.path + "/"
        let outside = try parse(lddOutput: listing, binary: binary.path).libraries.filter { !$0.path.hasPrefix(prefix) }
        guard outside.isEmpty else {
            let names = outside.map { "\($0.name) (\($0.path))" }.joined(separator: ", ")
            throw ValidationError("the bundle is not self-contained: the bundled loader took \(names) from outside lib/")
        }
    }
}
