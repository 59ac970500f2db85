import Foundation
import Testing

@testable import lambda_local

/// Sizes read from a zip's central directory, against what `zip` wrote and `unzip -Z` reports.
struct ZipListingTests {
    @Test func entriesAndSizesAreThoseZipWrote() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ziplisting-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("lib"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = Data(String(repeating: "compressible text ", count: 4_000).utf8)
        var random = SystemRandomNumberGenerator()
        let noise = Data((0..<20_000).map { _ in UInt8.random(in: 0...255, using: &random) })
        try text.write(to: directory.appendingPathComponent("bootstrap"))
        try noise.write(to: directory.appendingPathComponent("lib/libnoise.so.1"))
        let zip = directory.appendingPathComponent("function.zip")
        try Shell.run("zip", ["-q", "-X", "-D", "-9", zip.path, "bootstrap", "lib/libnoise.so.1"], directory: directory)

        let listing = try ZipListing(contentsOf: zip)
        #expect(listing.entries.map(\.name) == ["bootstrap", "lib/libnoise.so.1"])
        #expect(listing.entries.map(\.size) == [text.count, noise.count])
        #expect(listing.entries[0].compressedSize < text.count / 20)
        #expect(listing.entries[1].compressedSize >= noise.count - 100)
    }

    @Test func somethingElseIsAClearError() {
        #expect(throws: (any Error).self) { try ZipListing(data: Data("not a zip at all".utf8), name: "bogus") }
        #expect(throws: (any Error).self) { try ZipListing(data: Data(), name: "empty") }
    }
}
