import Synchronization

/// The random numbers behind the gateway's ids (connection, request and message ids, trace ids, Runtime API
/// request ids): xoshiro256** seeded once from the system generator.
///
/// The gateway makes several ids per message. `SystemRandomNumberGenerator` costs a `getrandom` system call
/// for every 8 bytes (and Foundation's `UUID()` opens, reads and closes `/dev/urandom`), which under load was
/// two dozen system calls a message. Ids must be unique, not secret: this is a local emulator.
struct GatewayRandom: RandomNumberGenerator {
    private static let state = Mutex(Xoshiro256StarStar(seed: SystemRandomNumberGenerator()))

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        Self.state.withLock { $0.next() }
    }

    /// `count` random bytes.
    static func bytes(_ count: Int) -> [UInt8] {
        state.withLock { generator in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(count)
            while bytes.count < count {
                var word = generator.next()
                for _ in 0..<min(8, count - bytes.count) {
                    bytes.append(UInt8(truncatingIfNeeded: word))
                    word >>= 8
                }
            }
            return bytes
        }
    }

    /// A random (version 4) UUID in lowercase, `8-4-4-4-12` hex digits, as Lambda request ids look.
    static func uuidString() -> String {
        var bytes = bytes(16)
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// xoshiro256** (Blackman and Vigna): a fast generator with 256 bits of state.
struct Xoshiro256StarStar {
    private var s0, s1, s2, s3: UInt64

    init(seed: some RandomNumberGenerator) {
        var seed = seed
        repeat {
            (s0, s1, s2, s3) = (seed.next(), seed.next(), seed.next(), seed.next())
        } while s0 | s1 | s2 | s3 == 0  // the all-zero state would only ever give zeros
    }

    /// A generator in the given state (not all zero).
    init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
    }

    mutating func next() -> UInt64 {
        let result = (s1 &* 5).rotatedLeft(by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3.rotatedLeft(by: 45)
        return result
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(by count: UInt64) -> UInt64 { self << count | self >> (64 - count) }
}
