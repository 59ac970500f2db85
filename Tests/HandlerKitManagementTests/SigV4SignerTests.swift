import Foundation
import HandlerKit
import Testing

/// Our signatures compared with botocore's `SigV4Auth` (run by `Support/sigv4_vectors.py`) over many cases.
@Suite struct SigV4SignerTests {
    struct Case: Encodable {
        var id: String
        var method: String
        var url: String
        var headers: [[String]]
        var body: String
        var accessKey = "AKIDEXAMPLE"
        var secretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
        var sessionToken: String?
        var region = "eu-west-1"
        var service = "execute-api"
        var epochSeconds: Int

        init(
            _ id: String, _ method: String, _ url: String, headers: [[String]] = [], body: String = "",
            token: String? = nil, region: String = "eu-west-1", service: String = "execute-api",
            epochSeconds: Int = 1_700_000_000
        ) {
            self.id = id
            self.method = method
            self.url = url
            self.headers = headers
            self.body = Data(body.utf8).base64EncodedString()
            self.sessionToken = token
            self.region = region
            self.service = service
            self.epochSeconds = epochSeconds
        }
    }

    struct Reference: Decodable {
        var id: String
        var authorization: String
        var amzDate: String
        var securityToken: String?
        var canonicalRequest: String
    }

    static let endpoint = "https://abc123.execute-api.eu-west-1.amazonaws.com/prod/@connections/"

    /// Connection ids as API Gateway makes them (base64 with `=`), plus ids no gateway makes but a caller
    /// may pass: `+`, `/`, spaces, unicode.
    static let connectionIDs = [
        "L0SM9cOFvHcCIhw=", "abc+def=", "Zm9v+YmFy/==", "a b", "caf\u{E9}-\u{6F22}\u{5B57}", "~tilde-_.",
        "100%", "semi;colon:at@",
    ]

    static var cases: [Case] {
        var cases: [Case] = []
        for (index, id) in connectionIDs.enumerated() {
            let url = endpoint + PercentEncoding.encode(id)
            cases.append(Case("post-\(index)", "POST", url, headers: [["Content-Type", "application/octet-stream"]], body: "{\"message\":\"hi \(index)\"}"))
            cases.append(Case("get-\(index)", "GET", url, token: "FQoGZXIvYXdzEJr//////////wEaDM+token="))
            cases.append(Case("delete-\(index)", "DELETE", url, epochSeconds: 951_782_400 + index * 86_399))
        }
        cases += [
            Case("query-repeated", "GET", "https://example.com/path?b=2&a=1&a=0&A=9", service: "dynamodb"),
            Case("query-empty-values", "GET", "https://example.com/?flag&empty=&x=%20y&z=a%2Bb"),
            Case("query-unicode", "GET", "https://example.com/?k%C3%A9y=v%C3%A4l&~=~&s%2Fl=a%3Db"),
            Case("dynamodb", "POST", "https://dynamodb.us-east-1.amazonaws.com/",
                 headers: [["Content-Type", "application/x-amz-json-1.0"], ["X-Amz-Target", "DynamoDB_20120810.PutItem"]],
                 body: "{\"TableName\":\"chat\"}", token: "session", region: "us-east-1", service: "dynamodb"),
            Case("port-kept", "POST", "http://127.0.0.1:8443/stage/@connections/x%3D", body: "b"),
            Case("default-port-dropped", "POST", "https://Example.COM:443/a/b", body: "b"),
            Case("dot-segments", "GET", "https://example.com/a/./b/../c//d/"),
            Case("empty-path", "GET", "https://example.com"),
            Case("header-whitespace", "POST", "https://example.com/x",
                 headers: [["X-Custom", "  a   b  "], ["x-custom", "second"], ["User-Agent", "not signed"]]),
            Case("leap-day", "GET", "https://example.com/", epochSeconds: 1_709_164_799),
            Case("stage-encoded", "POST", "https://example.com/my%20stage/@connections/abc%3D", body: "x"),
            // Paths and header values at the edges of the already-normalised and already-trimmed fast paths.
            Case("trailing-slash", "GET", "https://example.com/a/b/"),
            Case("leading-double-slash", "GET", "https://example.com//a"),
            Case("dot-prefixed-segments", "GET", "https://example.com/.well-known/..x/a.b/...c"),
            Case("last-segment-dot", "GET", "https://example.com/a/."),
            Case("last-segment-dot-dot", "GET", "https://example.com/a/b/.."),
            Case("only-slash", "GET", "https://example.com/"),
            Case("user-info-and-fragment", "GET", "https://user:pw@Example.com:8080/x?y=1#frag"),
            Case("ipv6-host", "GET", "http://[::1]:9000/p"),
            Case("ipv6-host-no-port", "GET", "http://[::1]/p?q=1"),
            Case("upper-case-scheme", "GET", "HTTPS://Example.com/x"),
            Case("query-only", "GET", "https://example.com?b=1&a=2"),
            Case("header-values", "POST", "https://example.com/x",
                 headers: [["X-One", "a b"], ["X-Two", "a\tb"], ["X-Three", " lead"], ["X-Four", "trail "],
                           ["X-Five", "two  spaces"], ["X-Six", ""]]),
        ]
        return cases
    }

    @Test func signaturesMatchBotocore() throws {
        let cases = Self.cases
        let output = try PythonScript.run("sigv4_vectors.py", input: JSONEncoder().encode(cases))
        let references = Dictionary(uniqueKeysWithValues: try JSONDecoder().decode([Reference].self, from: output).map { ($0.id, $0) })
        #expect(references.count == cases.count)
        for testCase in cases {
            let reference = try #require(references[testCase.id])
            let signer = SigV4Signer(
                credentials: AWSCredentials(accessKeyID: testCase.accessKey, secretAccessKey: testCase.secretKey, sessionToken: testCase.sessionToken),
                region: testCase.region, service: testCase.service)
            var request = HTTPRequest(
                method: testCase.method, url: testCase.url,
                headers: testCase.headers.map { ($0[0], $0[1]) }, body: Data(base64Encoded: testCase.body)!)
            try signer.sign(&request, date: Date(timeIntervalSince1970: TimeInterval(testCase.epochSeconds)))
            #expect(request.header("authorization") == reference.authorization, "case \(testCase.id)")
            #expect(request.header("x-amz-date") == reference.amzDate, "case \(testCase.id)")
            #expect(request.header("x-amz-security-token") == reference.securityToken, "case \(testCase.id)")
            if request.header("authorization") != reference.authorization {
                var unsigned = request
                unsigned.removeHeader("authorization")
                let ours = try signer.canonicalRequest(for: unsigned)
                #expect(ours == reference.canonicalRequest, "canonical request of \(testCase.id)")
            }
        }
    }

    @Test func signingKeyCacheFollowsTheDay() throws {
        let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret")
        let signer = SigV4Signer(credentials: credentials, region: "eu-west-1", service: "execute-api")
        let days = [1_700_000_000, 1_700_000_000 + 86_400, 1_700_000_000]
        let cases = days.enumerated().map { index, epoch in
            var testCase = Case("day-\(index)", "POST", Self.endpoint + "abc%3D", body: "x", epochSeconds: epoch)
            testCase.accessKey = "AKID"
            testCase.secretKey = "secret"
            return testCase
        }
        let output = try PythonScript.run("sigv4_vectors.py", input: JSONEncoder().encode(cases))
        let references = try JSONDecoder().decode([Reference].self, from: output)
        for (testCase, reference) in zip(cases, references) {
            var request = HTTPRequest(method: "POST", url: testCase.url, body: Data("x".utf8))
            try signer.sign(&request, date: Date(timeIntervalSince1970: TimeInterval(testCase.epochSeconds)))
            #expect(request.header("authorization") == reference.authorization)
        }
    }

    @Test func resigningReplacesEarlierSignature() throws {
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "t"),
            region: "eu-west-1", service: "execute-api")
        var request = HTTPRequest(method: "POST", url: Self.endpoint + "a%3D", body: Data("x".utf8))
        try signer.sign(&request, date: Date(timeIntervalSince1970: 1_700_000_000))
        let first = request.header("authorization")
        try signer.sign(&request, date: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(request.header("authorization") == first)
        #expect(request.headers.filter { $0.name.lowercased() == "authorization" }.count == 1)
        #expect(request.headers.filter { $0.name.lowercased() == "x-amz-date" }.count == 1)
    }

    @Test func amzDatesOfEveryWidth() {
        let ordinary = AmzDate(Date(timeIntervalSince1970: 1_795_678_752.9))
        #expect(ordinary.timestamp == "20261126T073912Z")
        #expect(ordinary.day == "20261126")
        let epoch = AmzDate(Date(timeIntervalSince1970: 0))
        #expect(epoch.timestamp == "19700101T000000Z")
        let fiveDigitYear = AmzDate(Date(timeIntervalSince1970: 253_402_300_800))
        #expect(fiveDigitYear.timestamp == "100000101T000000Z")
        #expect(fiveDigitYear.day == "100000101")
    }

    @Test(arguments: [
        "not a url", "ftp://host/x", "https:///path", "https://host:99999/", "https://host:/x", "https://user@/x",
        "https:/host/x", "https://host:8a/x",
    ])
    func rejectsBadURLs(_ url: String) {
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "a", secretAccessKey: "b"), region: "r", service: "s")
        var request = HTTPRequest(method: "GET", url: url)
        #expect(throws: SigningError.self) { try signer.sign(&request) }
    }
}
