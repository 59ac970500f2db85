import Foundation
@testable import LocalGateway
import Testing

struct GatewayRandomTests {
    /// The first outputs of xoshiro256** from the state {1, 2, 3, 4}, as the reference C implementation gives them.
    @Test func xoshiroMatchesTheReferenceSequence() {
        var generator = Xoshiro256StarStar(state: (1, 2, 3, 4))
        #expect((0..<4).map { _ in generator.next() } == [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240])
    }

    @Test func uuidsAreVersion4InLowercaseAndAllDifferent() throws {
        let ids = (0..<2000).map { _ in GatewayRandom.uuidString() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(200) {
            #expect(id.count == 36)
            #expect(id == id.lowercased())
            let uuid = try #require(UUID(uuidString: id), "\(id) is not a UUID")
            #expect(uuid.uuidString.lowercased() == id)
            let characters = Array(id)
            #expect(characters[14] == "4", "version nibble of \(id)")
            #expect("89ab".contains(characters[19]), "variant of \(id)")
        }
    }

    @Test func bytesAreSpreadOverEveryValue() {
        // 64 KiB of bytes: every byte value appears, none more than twice as often as expected.
        let bytes = GatewayRandom.bytes(65_536)
        var counts = [Int](repeating: 0, count: 256)
        for byte in bytes { counts[Int(byte)] += 1 }
        #expect(counts.min()! > 128)
        #expect(counts.max()! < 512)
        #expect(GatewayRandom.bytes(11).count == 11)
        #expect(GatewayRandom.bytes(0).isEmpty)
    }
}
