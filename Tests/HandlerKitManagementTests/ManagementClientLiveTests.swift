import Foundation
import HandlerKit
import Testing

/// The client over libcurl against `Support/management_server.py`, which checks every signature with
/// botocore, the percent-encoding of the path and the body.
@Suite struct ManagementClientLiveTests {
    let server = ManagementServer.shared
    let transport = CurlHTTPTransport(maxConnections: 8, caBundlePath: nil)
    /// Keeps concurrently running tests' connection ids apart in the server's shared log.
    let tag = String(UUID().uuidString.prefix(8))

    func client(retry: BackoffPolicy = BackoffPolicy(maxAttempts: 3, baseDelay: .milliseconds(5), maxDelay: .milliseconds(50), maxElapsed: .seconds(120))) throws -> ManagementClient {
        try ManagementClient(
            domainName: "unused.example.com", stage: "unused",
            environment: [
                "AWS_ACCESS_KEY_ID": ManagementServer.accessKey, "AWS_SECRET_ACCESS_KEY": ManagementServer.secretKey,
                "AWS_SESSION_TOKEN": ManagementServer.sessionToken, "AWS_REGION": "eu-west-1",
                "AWS_ENDPOINT_URL": "http://127.0.0.1:1/wrong",
                "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI": server.baseURL + "/prod",
            ],
            transport: transport, retryPolicy: retry)
    }

    func records(for ids: [String]) async throws -> [ManagementServer.Record] {
        let wanted = Set(ids)
        return try await server.records(transport: transport).filter { wanted.contains($0.connectionId) }
    }

    @Test func postsReachTheServerSignedAndEncoded() async throws {
        let ids = ["\(tag)L0SM9cOFvHcCIhw=", "\(tag)ab+cd/ef==", "\(tag) caf\u{E9} \u{6F22}", "\(tag)~-._"]
        let client = try client()
        for (index, id) in ids.enumerated() {
            try await client.postToConnection(id, data: Data("message \(index) \u{1F600}".utf8))
        }
        let records = try await records(for: ids)
        #expect(records.count == ids.count)
        for (index, id) in ids.enumerated() {
            let record = try #require(records.first { $0.connectionId == id })
            #expect(record.signatureProblem == nil, "\(id): \(record.signatureProblem ?? "")")
            #expect(record.pathCanonical, "\(id) arrived as \(record.encodedId)")
            #expect(record.stagePath == "/prod")
            #expect(record.method == "POST")
            #expect(Data(base64Encoded: record.body) == Data("message \(index) \u{1F600}".utf8))
        }
        #expect(records.first { $0.connectionId == ids[0] }?.encodedId == "\(tag)L0SM9cOFvHcCIhw%3D")
    }

    @Test(arguments: [("gone-", ManagementError.Kind.gone, 410), ("forbidden-", .forbidden, 403), ("toolarge-", .payloadTooLarge, 413)])
    func refusalsAreTypedAndNeverRetried(prefix: String, kind: ManagementError.Kind, status: Int) async throws {
        let id = prefix + tag
        let client = try client()
        await #expect {
            try await client.postToConnection(id, data: Data("x".utf8))
        } throws: { error in
            guard let error = error as? ManagementError else { return false }
            return error.kind == kind && error.status == status && error.attempts == 1 && error.connectionID == id
        }
        let records = try await records(for: [id])
        #expect(records.count == 1)
        #expect(records.allSatisfy { $0.signatureProblem == nil })
    }

    @Test func throttlingThenSuccessIsRetried() async throws {
        let ids = ["throttle-once-\(tag)", "fail-once-\(tag)"]
        let client = try client()
        for id in ids { try await client.postToConnection(id, data: Data("x".utf8)) }
        let records = try await records(for: ids)
        #expect(records.filter { $0.connectionId == ids[0] }.count == 2)
        #expect(records.filter { $0.connectionId == ids[1] }.count == 2)
        #expect(records.allSatisfy { $0.signatureProblem == nil })
    }

    @Test func persistentServerErrorsStopAfterTheLastAttempt() async throws {
        let id = "fail-\(tag)"
        await #expect {
            try await client().deleteConnection(id)
        } throws: { error in
            (error as? ManagementError)?.kind == .server && (error as? ManagementError)?.attempts == 3
        }
        #expect(try await records(for: [id]).count == 3)
    }

    @Test func getConnectionIsDecoded() async throws {
        let info = try await client().getConnection("\(tag)abc=")
        #expect(info.identity == ConnectionInfo.Identity(sourceIp: "203.0.113.7", userAgent: "test-agent/1.0"))
        #expect(info.connectedAt == Date(timeIntervalSince1970: 1_709_210_096.789))
        #expect(info.lastActiveAt == Date(timeIntervalSince1970: 1_709_210_100))
        let record = try #require(try await records(for: ["\(tag)abc="]).first)
        #expect(record.method == "GET")
        #expect(record.signatureProblem == nil)
    }

    @Test func deleteConnectionSucceeds() async throws {
        try await client().deleteConnection("\(tag)bye")
        let record = try #require(try await records(for: ["\(tag)bye"]).first)
        #expect(record.method == "DELETE")
        #expect(record.signatureProblem == nil)
    }

    @Test func broadcastReportsGoneConnections() async throws {
        let live = (0..<40).map { "\(tag)live-\($0)=" }
        let gone = (0..<7).map { "gone-\(tag)-\($0)" }
        let forbidden = ["forbidden-\(tag)"]
        let ids = (live + gone + forbidden).shuffled()
        let result = try await client().broadcast(Data("broadcast".utf8), to: ids, maxConcurrency: 12)
        #expect(result.outcomes.map(\.connectionID) == ids)
        #expect(result.deliveredCount == live.count)
        #expect(Set(result.goneConnectionIDs) == Set(gone))
        #expect(result.failures.map(\.connectionID) == forbidden)
        #expect(result.failures.first?.error.kind == .forbidden)
        let records = try await records(for: ids)
        #expect(records.count == ids.count)
        #expect(records.allSatisfy { $0.signatureProblem == nil && $0.pathCanonical })
    }

    @Test func unreachableEndpointIsATransportError() async throws {
        let client = ManagementClient(
            endpoint: "http://127.0.0.1:1/prod", signer: ManagementServer.signer, transport: transport,
            retryPolicy: BackoffPolicy(maxAttempts: 2, baseDelay: .milliseconds(1), maxElapsed: .seconds(120)))
        await #expect {
            try await client.postToConnection("abc", data: Data())
        } throws: { error in
            (error as? ManagementError)?.kind == .transport && (error as? ManagementError)?.attempts == 2
        }
    }
}
