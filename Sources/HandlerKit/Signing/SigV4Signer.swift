internal import Crypto
internal import Synchronization

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Signs requests with AWS Signature Version 4 for one service in one region.
///
/// Uses the rules of every service but S3: each path segment is encoded again (`%3D` → `%253D`) and the
/// payload is hashed. The derived signing key is cached for the current day.
///
/// ```swift
/// let signer = SigV4Signer(credentials: credentials, region: "eu-west-1", service: "execute-api")
/// var request = HTTPRequest(method: "POST", url: "https://abc.execute-api.eu-west-1.amazonaws.com/prod/%40connections/x%3D", body: payload)
/// try signer.sign(&request)
/// ```
public final class SigV4Signer: Sendable {
    /// The credentials requests are signed with.
    public let credentials: AWSCredentials
    /// The region in the credential scope, e.g. `eu-west-1`.
    public let region: String
    /// The signing name of the service, e.g. `execute-api` or `dynamodb`.
    public let service: String
    /// The day's signing key, as an HMAC already keyed with it (keying costs two SHA-256 blocks).
    private let keyCache = Mutex<(day: String, keyed: HMAC<SHA256>)?>(nil)

    /// Creates a signer.
    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Adds `x-amz-date`, `x-amz-security-token` (when the credentials have a session token) and
    /// `Authorization` to `request`, replacing earlier values, so a retried request can be signed again.
    ///
    /// Every header already on the request is signed (except hop-by-hop ones and `User-Agent`), plus `host`.
    /// - Parameter date: the signing time; the current time unless a test fixes it.
    /// - Throws: ``SigningError`` when the URL cannot be parsed.
    public func sign(_ request: inout HTTPRequest, date: Date = Date()) throws(SigningError) {
        let url = try RequestURL(parsing: request.url)
        let amzDate = AmzDate(date)
        request.removeHeader("authorization")
        request.setHeader("x-amz-date", amzDate.timestamp)
        if let token = credentials.sessionToken {
            request.setHeader("x-amz-security-token", token)
        } else {
            request.removeHeader("x-amz-security-token")
        }
        let signed = signature(
            method: request.method, url: url, headers: request.headers,
            payloadHash: Self.hexSHA256(request.body), date: amzDate)
        request.headers.append((
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(signed.scope), SignedHeaders=\(signed.signedHeaders), Signature=\(signed.signature)"
        ))
    }

    /// The signature of a request whose headers are final (`x-amz-date` among them, `Authorization` not):
    /// what ``sign(_:date:)`` puts in the `Authorization` header, and what a verifier compares with the one a
    /// client sent, without writing out or parsing a URL or a header.
    /// - Parameter signingEveryHeader: sign every header in `headers`, hop-by-hop and proxy-rewritten ones too
    ///   (a verifier's choice: it passes exactly the headers the client signed).
    /// - Returns: the credential scope (`{day}/{region}/{service}/aws4_request`), the signed header names
    ///   (`host;x-amz-date`) and the signature in lower-case hex.
    package func signature(
        method: String, url: RequestURL, headers: [(name: String, value: String)], payloadHash: String,
        date amzDate: AmzDate, signingEveryHeader: Bool = false
    ) -> (scope: String, signedHeaders: String, signature: String) {
        let canonical = CanonicalRequest(
            method: method, url: url, headers: headers, payloadHash: payloadHash,
            signingEveryHeader: signingEveryHeader)
        let scope = "\(amzDate.day)/\(region)/\(service)/aws4_request"
        var mac = keyedHMAC(day: amzDate.day)
        // `AWS4-HMAC-SHA256\n{timestamp}\n{scope}\n{hex SHA-256 of the canonical request}`, in one buffer
        // (each HMAC update costs a generic walk over the data's regions).
        var stringToSign: [UInt8] = []
        stringToSign.reserveCapacity(64 + scope.utf8.count + 64)
        stringToSign.append(contentsOf: "AWS4-HMAC-SHA256\n".utf8)
        stringToSign.append(contentsOf: amzDate.timestamp.utf8)
        stringToSign.append(0x0A)
        stringToSign.append(contentsOf: scope.utf8)
        stringToSign.append(0x0A)
        canonical.bytes.withUnsafeBytes { Self.appendHex(of: SHA256.hash(data: $0), to: &stringToSign) }
        stringToSign.withUnsafeBytes { mac.update(data: $0) }
        return (scope, canonical.signedHeaders, Self.hex(mac.finalize()))
    }

    /// The canonical request `sign` would build for `request` (which must already carry `x-amz-date`);
    /// for diagnosing signature mismatches.
    package func canonicalRequest(for request: HTTPRequest) throws(SigningError) -> String {
        let url = try RequestURL(parsing: request.url)
        let headers = request.headers.filter { !HeaderName.equal($0.name, "authorization") }
        return CanonicalRequest(
            method: request.method, url: url, headers: headers, payloadHash: Self.hexSHA256(request.body)
        ).text
    }

    /// An HMAC keyed with the day's signing key,
    /// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`, cached per day.
    private func keyedHMAC(day: String) -> HMAC<SHA256> {
        if let cached = keyCache.withLock({ $0 }), cached.day == day { return cached.keyed }
        var key = SymmetricKey(data: Data(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key))
        }
        let keyed = HMAC<SHA256>(key: key)
        keyCache.withLock { $0 = (day, keyed) }
        return keyed
    }

    package static func hexSHA256(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }


    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lower-case hex of `bytes`, written into the string's own storage.
    private static func hex(_ bytes: some ContiguousBytes) -> String {
        bytes.withUnsafeBytes { raw in
            String(unsafeUninitializedCapacity: raw.count * 2) { output in writeHex(raw, into: output) }
        }
    }

    /// Appends the lower-case hex of a digest to `bytes`.
    private static func appendHex(of digest: SHA256Digest, to bytes: inout [UInt8]) {
        digest.withUnsafeBytes { raw in
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: raw.count * 2))
            bytes.withUnsafeMutableBufferPointer { _ = writeHex(raw, into: UnsafeMutableBufferPointer(rebasing: $0[start...])) }
        }
    }

    private static func writeHex(_ raw: UnsafeRawBufferPointer, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        hexDigits.withUnsafeBufferPointer { digits in
            for (index, byte) in raw.enumerated() {
                output[2 * index] = digits[Int(byte >> 4)]
                output[2 * index + 1] = digits[Int(byte & 0x0F)]
            }
        }
        return raw.count * 2
    }
}
