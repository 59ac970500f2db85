import Foundation

/// Finds which of a set of processes owns a TCP socket, from `/proc` (Linux). Used to stop the function
/// process that runs past its deadline: the Runtime API mock knows the function's end of the connection,
/// the supervisor knows the process ids.
enum SocketOwner {
    /// The process among `candidates` with a TCP socket bound to local port `port`, if `/proc` says so.
    static func process(usingLocalPort port: Int, among candidates: [Int32]) -> Int32? {
        let inodes = socketInodes(localPort: port)
        guard !inodes.isEmpty else { return nil }
        for pid in candidates {
            let directory = "/proc/\(pid)/fd"
            guard let descriptors = try? FileManager.default.contentsOfDirectory(atPath: directory) else { continue }
            for descriptor in descriptors {
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\(descriptor)"),
                    target.hasPrefix("socket:["), target.hasSuffix("]")
                else { continue }
                if inodes.contains(String(target.dropFirst("socket:[".count).dropLast())) { return pid }
            }
        }
        return nil
    }

    /// The processes whose process group is one of `groups` (`/proc/<pid>/stat`'s fifth field), leaders
    /// included, each with its group.
    static func members(ofProcessGroups groups: Set<Int32>) -> [Int32: Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [:] }
        var members: [Int32: Int32] = [:]
        for entry in entries {
            guard let pid = Int32(entry), let group = processGroup(of: pid), groups.contains(group) else { continue }
            members[pid] = group
        }
        return members
    }

    /// The process group of `pid`, from `/proc/<pid>/stat`.
    static func processGroup(of pid: Int32) -> Int32? {
        // `pid (comm) state ppid pgrp …`: comm may hold spaces and parentheses, so fields count from its end.
        guard let stat = readWhole("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 2 ? Int32(fields[2]) : nil
    }

    /// Inodes of the TCP sockets (IPv4 and IPv6) whose local port is `port`.
    static func socketInodes(localPort port: Int) -> Set<String> {
        var inodes = Set<String>()
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = readWhole(table) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                guard fields.count > 9, let colon = fields[1].lastIndex(of: ":"),
                    Int(fields[1][fields[1].index(after: colon)...], radix: 16) == port
                else { continue }
                inodes.insert(String(fields[9]))
            }
        }
        return inodes
    }

    /// The whole of a `/proc` file. Such files report a size of 0 and hand out their text a page at a time,
    /// so they are read until the end rather than by their size.
    static func readWhole(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var data = Data()
        while let chunk = try? handle.read(upToCount: 65536), !chunk.isEmpty {
            data.append(chunk)
        }
        return String(decoding: data, as: UTF8.self)
    }
}
