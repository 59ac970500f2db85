import Foundation
import HandlerKit
import Testing

/// The client's request building, classification and retry decisions, through a recording transport.
@Suite struct ManagementClientRecordingTests {
    static let signer = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "token"),
        region: "eu-west-1", service: "execute-api")
    static let fastRetries = BackoffPolicy(maxAttempts: 3, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5), maxElapsed: .seconds(120))

    func client(_ transport: RecordingTransport) -> ManagementClient {
        ManagementClient(endpoint: "https://abc.execute-api.eu-west-1.amazonaws.com/prod/", signer: Self.signer, transport: transport, retryPolicy: Self.fastRetries)
    }

    @Test func postBuildsSignedPercentEncodedRequest() async throws {
        let transport = RecordingTransport()
        try await client(transport).postToConnection("L0SM9cOFvHcCIhw=", data: Data("hello".utf8))
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url == "https://abc.execute-api.eu-west-1.amazonaws.com/prod/@connections/L0SM9cOFvHcCIhw%3D")
        #expect(request.body == Data("hello".utf8))
        #expect(request.header("x-amz-security-token") == "token")
        #expect(request.header("authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKID/") == true)
    }

    @Test(arguments: [
        (410, "GoneException:http://internal.amazon.com/coral/com.amazonaws.gone/", ManagementError.Kind.gone),
        (403, "ForbiddenException", .forbidden),
        (413, "PayloadTooLargeException", .payloadTooLarge),
        (400, "GoneException", .gone),
        (400, "BadRequestException", .other),
    ])
    func errorsAreTypedAndNotRetried(status: Int, errorType: String, kind: ManagementError.Kind) async {
        let transport = RecordingTransport(responses: [HTTPResponse(status: status, headers: [("x-amzn-ErrorType", errorType)])])
        await #expect {
            try await client(transport).postToConnection("abc", data: Data())
        } throws: { error in
            let error = error as! ManagementError
            return error.kind == kind && error.status == status && error.attempts == 1
        }
        #expect(transport.requests.count == 1)
    }

    @Test func throttlingAndServerErrorsAreRetried() async throws {
        let transport = RecordingTransport(responses: [HTTPResponse(status: 429), HTTPResponse(status: 503)])
        try await client(transport).postToConnection("abc", data: Data("x".utf8))
        #expect(transport.requests.count == 3)
    }

    @Test func retriesAreBounded() async {
        let transport = RecordingTransport(fallback: { _ in HTTPResponse(status: 500) })
        await #expect {
            try await client(transport).deleteConnection("abc")
        } throws: { error in
            (error as! ManagementError).kind == .server && (error as! ManagementError).attempts == 3
        }
        #expect(transport.requests.count == 3)
    }

    @Test func transportFailuresAreRetried() async throws {
        let transport = RecordingTransport()
        transport.enqueueFailure(HTTPTransportError(message: "refused", isConnectionFailure: true))
        try await client(transport).deleteConnection("abc")
        #expect(transport.requests.map(\.method) == ["DELETE", "DELETE"])
    }

    @Test func emptyConnectionIDIsRejected() async {
        let transport = RecordingTransport()
        await #expect(throws: ManagementError.self) { try await client(transport).postToConnection("", data: Data()) }
        #expect(transport.requests.isEmpty)
    }

    @Test func endpointComesFromEventOrOverride() {
        #expect(ManagementClient.endpoint(domainName: "abc.example.com", stage: "my stage", environment: [:]) == "https://abc.example.com/my%20stage")
        #expect(ManagementClient.endpoint(domainName: "d", stage: "s", environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:9000"]) == "http://127.0.0.1:9000")
        #expect(ManagementClient.endpoint(domainName: "d", stage: "s", environment: [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9000", "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI": "http://127.0.0.1:9001/dev",
        ]) == "http://127.0.0.1:9001/dev")
    }

    @Test func missingCredentialsAreReported() {
        #expect(throws: AWSConfigurationError.self) {
            try ManagementClient(domainName: "d", stage: "s", environment: ["AWS_REGION": "eu-west-1"])
        }
    }

    @Test func caBundleDiscoveryOrder() {
        #expect(CABundle.discover(environment: ["SSL_CERT_FILE": "/a", "CURL_CA_BUNDLE": "/b"], isReadable: { _ in false }) == "/a")
        #expect(CABundle.discover(environment: ["CURL_CA_BUNDLE": "/b"], isReadable: { _ in false }) == "/b")
        #expect(CABundle.discover(environment: [:], isReadable: { $0 == "/etc/ssl/certs/ca-certificates.crt" }) == "/etc/ssl/certs/ca-certificates.crt")
        #expect(CABundle.discover(environment: [:], isReadable: { _ in true }) == "/etc/pki/tls/certs/ca-bundle.crt")
        #expect(CABundle.discover(environment: [:], isReadable: { _ in false }) == nil)
    }
}

@Suite struct SignedSendTests {
    @Test func sendSignedByAddsSignature() async throws {
        let transport = RecordingTransport()
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "s"), region: "us-east-1", service: "dynamodb")
        let request = HTTPRequest(
            method: "POST", url: "https://dynamodb.us-east-1.amazonaws.com/",
            headers: [("X-Amz-Target", "DynamoDB_20120810.PutItem")], body: Data("{}".utf8))
        _ = try await transport.send(request, signedBy: signer)
        let sent = try #require(transport.requests.first)
        #expect(sent.header("authorization")?.contains("/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target,") == true)
        #expect(sent.header("x-amz-security-token") == nil)
    }
}
