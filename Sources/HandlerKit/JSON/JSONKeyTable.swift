/// Recognises the member names of a known object shape: one hash of the key's bytes and one comparison,
/// instead of comparing the key with every name in turn.
///
/// `Key` is an enum whose raw values are the JSON member names:
/// ```swift
/// enum Field: String, CaseIterable { case routeKey, connectionID = "connectionId" }
/// static let fields = JSONKeyTable<Field>()
/// switch Self.fields.match(token, in: reader)?.key { case .routeKey: … case nil: try reader.skipValue() }
/// ```
struct JSONKeyTable<Key: RawRepresentable & CaseIterable & Sendable>: Sendable where Key.RawValue == String {
    private let keys: [Key]
    private let names: [[UInt8]]
    /// Open addressing: each slot holds an index into `keys`, or -1.
    private let slots: [Int]
    private let mask: Int

    init() {
        keys = Array(Key.allCases)
        names = keys.map { Array($0.rawValue.utf8) }
        var size = 8
        while size < keys.count * 4 { size *= 2 }
        mask = size - 1
        var slots = Array(repeating: -1, count: size)
        for (index, name) in names.enumerated() {
            var slot = name.withUnsafeBufferPointer { Self.hash($0) } & (size - 1)
            while slots[slot] != -1 { slot = (slot + 1) & (size - 1) }
            slots[slot] = index
        }
        self.slots = slots
    }

    /// A recognised key and its position among `Key.allCases`.
    struct Match {
        let key: Key
        let ordinal: Int
    }

    /// The key that `token` spells, or nil for a name this shape does not have.
    func match(_ token: JSONByteReader.StringToken, in reader: JSONByteReader) -> Match? {
        if token.hasEscapes {
            return reader.unescapedBytes(token).withUnsafeBufferPointer { match($0) }
        }
        return match(reader.raw(token))
    }

    /// The match for `key` itself.
    func match(_ key: Key) -> Match where Key: Equatable {
        Match(key: key, ordinal: keys.firstIndex(of: key)!)
    }

    private func match(_ name: UnsafeBufferPointer<UInt8>) -> Match? {
        var slot = Self.hash(name) & mask
        while true {
            let index = slots[slot]
            if index < 0 { return nil }
            if names[index].withUnsafeBufferPointer({ Self.equal($0, name) }) {
                return Match(key: keys[index], ordinal: index)
            }
            slot = (slot + 1) & mask
        }
    }

    /// Mixes the length and the first, middle and last bytes: enough to tell the names of one shape apart
    /// (collisions only cost a probe).
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let first = bytes.first, let last = bytes.last else { return 0 }
        let middle = bytes[bytes.count / 2]
        let packed = UInt32(truncatingIfNeeded: bytes.count) | UInt32(first) << 8 | UInt32(middle) << 16
            | UInt32(last) << 24
        return Int((packed &* 0x9E37_79B1) >> 16)
    }

    /// Byte equality, eight bytes at a time (the last word may overlap the one before).
    private static func equal(_ first: UnsafeBufferPointer<UInt8>, _ second: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = first.count
        guard count == second.count else { return false }
        guard count >= 8, let a = first.baseAddress, let b = second.baseAddress else {
            for index in 0..<count where first[index] != second[index] { return false }
            return true
        }
        var offset = 0
        while offset < count - 8 {
            let same = UnsafeRawPointer(a + offset).loadUnaligned(as: UInt64.self)
                == UnsafeRawPointer(b + offset).loadUnaligned(as: UInt64.self)
            if !same { return false }
            offset += 8
        }
        return UnsafeRawPointer(a + count - 8).loadUnaligned(as: UInt64.self)
            == UnsafeRawPointer(b + count - 8).loadUnaligned(as: UInt64.self)
    }
}
