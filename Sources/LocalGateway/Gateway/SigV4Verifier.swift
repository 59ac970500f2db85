public import Foundation
public import HandlerKit

/// Verifies the SigV4 signature of `@connections` requests, as API Gateway does, by signing the same request
/// again (HandlerKit's ``SigV4Signer``) with the expected credentials and comparing signatures. Each refusal
/// carries the message API Gateway answers with.
public struct SigV4Verifier: Sendable {
    private let signer: SigV4Signer
    /// How far the signing time may be from now (AWS allows a few minutes of clock skew).
    public var allowedSkew: Duration

    /// - Parameters:
    ///   - credentials: the credentials the function was given.
    ///   - region: the region in the credential scope.
    public init(credentials: AWSCredentials, region: String, allowedSkew: Duration = .seconds(15 * 60)) {
        signer = SigV4Signer(credentials: credentials, region: region, service: "execute-api")
        self.allowedSkew = allowedSkew
    }

    static let mismatch = """
        The request signature we calculated does not match the signature you provided. Check your AWS Secret \
        Access Key and signing method. Consult the service documentation for details.
        """

    /// Whether `request` carries a valid signature made with the expected credentials, at about the current time.
    public func verify(_ request: ManagementRequest, now: Date = Date()) -> ManagementAuthorization {
        guard let authorization = header("authorization", in: request) else {
            return .denied("Missing Authentication Token")
        }
        guard let parameters = AuthorizationParameters(authorization),
            let credential = parameters.credential,
            let signedHeaders = parameters.signedHeaders,
            let signature = parameters.signature
        else {
            return .denied("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.")
        }
        guard credential.prefix(while: { $0 != "/" }) == signer.credentials.accessKeyID else {
            return .denied("The security token included in the request is invalid.")
        }
        guard let amzDate = header("x-amz-date", in: request), let date = Self.date(fromAmzDate: amzDate) else {
            return .denied("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
        }
        let skew = abs(date.timeIntervalSince(now))
        guard skew <= Double(allowedSkew.components.seconds) else {
            return .denied("Signature expired: \(amzDate) is not within \(allowedSkew.components.seconds / 60) minutes of the server time.")
        }
        guard let host = header("host", in: request) else { return .denied(Self.mismatch) }
        // The gateway's own credentials name the token a client must send; without one, a token is signed as sent.
        if let token = signer.credentials.sessionToken, header("x-amz-security-token", in: request) != token {
            return .denied("The security token included in the request is invalid.")
        }
        // Sign exactly the headers the client signed, as it sent them, at the time it signed them; then compare
        // the parts of the signature, not a header written out to be parsed again.
        let signedNames = signedHeaders.utf8.split(separator: UInt8(ascii: ";"))
        let headers = request.headers.filter { field in
            let name = HeaderName.lowercased(field.name)
            return name != "authorization" && signedNames.contains { $0.elementsEqual(name.utf8) }
        }
        let url = RequestURL(
            scheme: "http", host: HeaderName.lowercased(host), port: nil, path: request.path.isEmpty ? "/" : request.path,
            query: request.query)
        let expected = signer.signature(
            method: request.method, url: url, headers: headers, payloadHash: SigV4Signer.hexSHA256(request.body),
            date: AmzDate(date), signingEveryHeader: true)
        guard expected.signedHeaders.utf8.elementsEqual(signedHeaders.utf8),
            expected.signature.utf8.elementsEqual(signature.utf8)
        else { return .denied(Self.mismatch) }
        return .allowed
    }

    private func header(_ name: String, in request: ManagementRequest) -> String? {
        request.headers.first { HeaderName.equal($0.name, name) }?.value
    }

    /// `20261125T083000Z` → a date; `nil` unless it has exactly that shape.
    static func date(fromAmzDate text: String) -> Date? {
        let characters = Array(text.utf8)
        guard characters.count == 16, characters[8] == UInt8(ascii: "T"), characters[15] == UInt8(ascii: "Z") else {
            return nil
        }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in characters[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
            let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        let seconds = Self.daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
        return Date(timeIntervalSince1970: Double(seconds))
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The value of `name=` in an `Authorization` header.
    static func field(_ name: String, in authorization: String) -> String? {
        guard let parameters = AuthorizationParameters(authorization) else { return nil }
        switch name {
        case "Credential": return parameters.credential.map(String.init)
        case "SignedHeaders": return parameters.signedHeaders.map(String.init)
        case "Signature": return parameters.signature.map(String.init)
        default: return nil
        }
    }
}

/// The parameters of an `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` header, found in one
/// pass over its bytes (every `@connections` request is checked, so this stays cheap).
struct AuthorizationParameters {
    var credential: Substring?
    var signedHeaders: Substring?
    var signature: Substring?

    /// `nil` unless the header names the `AWS4-HMAC-SHA256` algorithm.
    init?(_ header: String) {
        let algorithm = "AWS4-HMAC-SHA256"
        guard header.utf8.starts(with: algorithm.utf8) else { return nil }
        let rest = header.utf8.dropFirst(algorithm.utf8.count)
        guard rest.first == UInt8(ascii: " ") else { return nil }
        for part in rest.split(whereSeparator: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: " ") }) {
            guard let equals = part.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let key = part[..<equals]
            let value = Substring(part[part.index(after: equals)...])
            if key.elementsEqual("Credential".utf8) {
                credential = value
            } else if key.elementsEqual("SignedHeaders".utf8) {
                signedHeaders = value
            } else if key.elementsEqual("Signature".utf8) {
                signature = value
            }
        }
    }
}
