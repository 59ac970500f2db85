import Foundation
import HandlerKit
import Testing

@testable import LocalGateway

@Suite("SigV4Verifier")
struct SigV4VerifierTests {
    let credentials = AWSCredentials(accessKeyID: "AKIDLOCAL", secretAccessKey: "local-secret")
    let now = Date(timeIntervalSince1970: 1_795_595_400)  // 2026-11-25T08:30:00Z

    /// A POST signed as the management client signs it, as the gateway receives it.
    func signedRequest(
        secret: String = "local-secret", token: String? = nil, date: Date? = nil, query: String = "",
        headers: [(name: String, value: String)] = []
    ) throws -> ManagementRequest {
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: "AKIDLOCAL", secretAccessKey: secret, sessionToken: token),
            region: "us-east-1", service: "execute-api")
        var request = HTTPRequest(
            method: "POST", url: "http://127.0.0.1:3001/dev/@connections/abc%3D" + (query.isEmpty ? "" : "?" + query),
            headers: headers, body: Data("hi".utf8))
        try signer.sign(&request, date: date ?? now)
        return ManagementRequest(
            method: "POST", path: "/dev/@connections/abc%3D", query: query,
            headers: [("Host", "127.0.0.1:3001")] + request.headers, body: Data("hi".utf8))
    }

    @Test("AMZ dates become the instant they name; other shapes are refused")
    func amzDates() {
        #expect(SigV4Verifier.date(fromAmzDate: "20261125T083000Z")?.timeIntervalSince1970 == 1_795_595_400)
        #expect(SigV4Verifier.date(fromAmzDate: "20000229T235959Z")?.timeIntervalSince1970 == 951_868_799)
        #expect(SigV4Verifier.date(fromAmzDate: "19700101T000000Z")?.timeIntervalSince1970 == 0)
        #expect(SigV4Verifier.date(fromAmzDate: "21000301T120000Z")?.timeIntervalSince1970 == 4_107_585_600)
        for bad in ["", "20261125T083000", "2026-11-25T08:30:00Z", "20261325T083000Z", "2026112xT083000Z"] {
            #expect(SigV4Verifier.date(fromAmzDate: bad) == nil, "\(bad)")
        }
    }

    @Test("the Authorization header's parameters are found in any order, with or without spaces")
    func authorizationParameters() throws {
        let parameters = try #require(AuthorizationParameters(
            "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date,Signature=abc123, Credential=AKID/20261125/us-east-1/execute-api/aws4_request"))
        #expect(parameters.credential == "AKID/20261125/us-east-1/execute-api/aws4_request")
        #expect(parameters.signedHeaders == "host;x-amz-date")
        #expect(parameters.signature == "abc123")
        #expect(AuthorizationParameters("AWS4-HMAC-SHA512 Credential=x") == nil)
        #expect(AuthorizationParameters("Bearer token") == nil)
    }

    @Test("a request signed with the expected credentials is allowed; a wrong secret, key, body or time is not")
    func verification() throws {
        let verifier = SigV4Verifier(credentials: credentials, region: "us-east-1")
        #expect(verifier.verify(try signedRequest(), now: now) == .allowed)
        #expect(verifier.verify(try signedRequest(secret: "other"), now: now) == .denied(SigV4Verifier.mismatch))

        var tampered = try signedRequest()
        tampered.body = Data("ho".utf8)
        #expect(verifier.verify(tampered, now: now) == .denied(SigV4Verifier.mismatch))

        let otherKey = SigV4Verifier(
            credentials: AWSCredentials(accessKeyID: "AKIDOTHER", secretAccessKey: "local-secret"), region: "us-east-1")
        #expect(otherKey.verify(try signedRequest(), now: now) == .denied("The security token included in the request is invalid."))

        let late = now.addingTimeInterval(16 * 60)
        guard case .denied(let message) = verifier.verify(try signedRequest(), now: late) else {
            Issue.record("a signature 16 minutes old was accepted")
            return
        }
        #expect(message.hasPrefix("Signature expired"))

        var unsigned = try signedRequest()
        unsigned.headers.removeAll { $0.name.lowercased() == "authorization" }
        #expect(verifier.verify(unsigned, now: now) == .denied("Missing Authentication Token"))
    }

    @Test("signed headers and the query count, headers added after signing do not; the method and path are signed")
    func signedParts() throws {
        let verifier = SigV4Verifier(credentials: credentials, region: "us-east-1")
        var request = try signedRequest(query: "b=2&a=1", headers: [("Content-Type", "text/plain")])
        #expect(verifier.verify(request, now: now) == .allowed)
        request.headers.append(("User-Agent", "added/1.0"))
        #expect(verifier.verify(request, now: now) == .allowed)

        var changed = request
        changed.headers = changed.headers.map { $0.name == "Content-Type" ? ($0.name, "text/html") : $0 }
        #expect(verifier.verify(changed, now: now) == .denied(SigV4Verifier.mismatch))
        changed = request
        changed.query = "b=2&a=3"
        #expect(verifier.verify(changed, now: now) == .denied(SigV4Verifier.mismatch))
        changed = request
        changed.method = "DELETE"
        #expect(verifier.verify(changed, now: now) == .denied(SigV4Verifier.mismatch))
        changed = request
        changed.path = "/dev/@connections/abd%3D"
        #expect(verifier.verify(changed, now: now) == .denied(SigV4Verifier.mismatch))
        #expect(SigV4Verifier(credentials: credentials, region: "eu-west-1").verify(request, now: now)
            == .denied(SigV4Verifier.mismatch))
    }

    @Test("a gateway given a session token requires it; one without signs a client's token as sent")
    func sessionTokens() throws {
        let withToken = SigV4Verifier(
            credentials: AWSCredentials(accessKeyID: "AKIDLOCAL", secretAccessKey: "local-secret", sessionToken: "tok"),
            region: "us-east-1")
        #expect(withToken.verify(try signedRequest(token: "tok"), now: now) == .allowed)
        let invalid = ManagementAuthorization.denied("The security token included in the request is invalid.")
        #expect(withToken.verify(try signedRequest(token: "other"), now: now) == invalid)
        #expect(withToken.verify(try signedRequest(), now: now) == invalid)

        // A function that inherited a token from the developer's shell still reaches the local gateway.
        let withoutToken = SigV4Verifier(credentials: credentials, region: "us-east-1")
        var request = try signedRequest(token: "from-the-shell")
        #expect(withoutToken.verify(request, now: now) == .allowed)
        request.headers = request.headers.map { $0.name.lowercased() == "x-amz-security-token" ? ($0.name, "edited") : $0 }
        #expect(withoutToken.verify(request, now: now) == .denied(SigV4Verifier.mismatch))
    }
}
