import Foundation
import Testing

@testable import lambda_local

/// The `deb-src` twins of apt sources and Debian version arithmetic the minimal libcurl's source download uses.
struct DebianSourceTests {
    @Test func deb822StanzasListingBinaryPackagesBecomeSourceStanzas() {
        let sources = """
            Types: deb
            # http://snapshot.debian.org/archive/debian/20250520T000000Z
            URIs: http://deb.debian.org/debian
            Suites: bookworm bookworm-updates
            Components: main
            Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

            Types: deb-src
            URIs: http://deb.debian.org/debian-security
            Suites: bookworm-security
            Components: main

            types: deb deb-src
            URIs: http://archive.ubuntu.com/ubuntu
            Suites: noble
            Components: main universe
            """
        let twin = DebianSource.sourceTwin(deb822: sources)
        let stanzas = twin.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "\n\n")
        #expect(stanzas.count == 2)
        #expect(stanzas[0].hasPrefix("Types: deb-src\n# http://snapshot"))
        #expect(stanzas[0].contains("Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"))
        #expect(stanzas[1] == "Types: deb-src\nURIs: http://archive.ubuntu.com/ubuntu\nSuites: noble\nComponents: main universe")
    }

    @Test func oneLineSourcesKeepTheirOptionsAndDropEverythingElse() {
        let list = """
            # comment
            deb [arch=amd64 signed-by=/usr/share/keyrings/key.gpg] http://deb.example.org/debian bookworm main
              deb http://deb.debian.org/debian bookworm main contrib
            deb-src http://deb.debian.org/debian bookworm main
            """
        #expect(DebianSource.sourceTwin(oneLine: list) == """
            deb-src [arch=amd64 signed-by=/usr/share/keyrings/key.gpg] http://deb.example.org/debian bookworm main
            deb-src http://deb.debian.org/debian bookworm main contrib

            """)
    }

    @Test(arguments: [
        ("7.88.1-10+deb12u15", "7.88.1", "7.88.1-10+deb12u15"),
        ("1:1.2.13.dfsg-1", "1.2.13.dfsg", "1.2.13.dfsg-1"),
        ("3.0.19-1~deb12u2", "3.0.19", "3.0.19-1~deb12u2"),
        ("2.0", "2.0", "2.0"),
    ])
    func versions(version: String, upstream: String, withoutEpoch: String) {
        #expect(DebianSource.upstreamVersion(version) == upstream)
        #expect(DebianSource.withoutEpoch(version) == withoutEpoch)
    }

    @Test func cacheKeysNameEveryInputAndStayFileNames() {
        let inputs = MinimalLibcurl.Inputs(curl: "7.88.1-10+deb12u15", openssl: "1:3.0.19-1~deb12u2", packedRelocations: true)
        #expect(inputs.key == "curl-7.88.1-10+deb12u15-openssl-3.0.19-1~deb12u2-r\(MinimalLibcurl.recipeRevision)-relr")
        let plain = MinimalLibcurl.Inputs(curl: "7.88.1-10+deb12u15", openssl: "3.0.19-1~deb12u2", packedRelocations: false)
        #expect(!plain.key.hasSuffix("-relr") && plain.key != inputs.key)
    }
}
