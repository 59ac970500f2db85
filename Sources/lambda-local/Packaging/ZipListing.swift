import ArgumentParser
import Foundation

/// The entries of a zip file with their sizes, read from its central directory.
struct ZipListing {
    /// One file in the zip.
    struct Entry: Equatable {
        var name: String
        /// Bytes once unzipped.
        var size: Int
        /// Bytes in the zip.
        var compressedSize: Int
    }

    var entries: [Entry]

    /// Reads the central directory of the zip at `url` (no ZIP64: a Lambda zip is at most 50 MB).
    init(contentsOf url: URL) throws {
        try self.init(data: Data(contentsOf: url), name: url.path)
    }

    init(data: Data, name: String) throws {
        let bytes = [UInt8](data)
        func uint16(_ offset: Int) -> Int { Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 }
        func uint32(_ offset: Int) -> Int { uint16(offset) | uint16(offset + 2) << 16 }
        func isSignature(_ offset: Int, _ value: Int) -> Bool { offset >= 0 && offset + 4 <= bytes.count && uint32(offset) == value }

        // The end-of-central-directory record: 22 bytes, then a comment of at most 65,535 bytes.
        guard let end = stride(from: bytes.count - 22, through: max(0, bytes.count - 22 - 65_535), by: -1)
            .first(where: { isSignature($0, 0x0605_4B50) })
        else { throw ValidationError("\(name) is not a zip file") }
        let count = uint16(end + 10)
        var offset = uint32(end + 16)
        var entries: [Entry] = []
        for _ in 0..<count {
            guard isSignature(offset, 0x0201_4B50), offset + 46 <= bytes.count else {
                throw ValidationError("\(name): damaged central directory")
            }
            let nameLength = uint16(offset + 28)
            let skip = nameLength + uint16(offset + 30) + uint16(offset + 32)
            guard offset + 46 + nameLength <= bytes.count else { throw ValidationError("\(name): damaged central directory") }
            entries.append(Entry(
                name: String(decoding: bytes[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self),
                size: uint32(offset + 24), compressedSize: uint32(offset + 20)))
            offset += 46 + skip
        }
        self.entries = entries
    }
}
