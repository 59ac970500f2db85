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
        guard authorization.hasPrefix("AWS4-HMAC-SHA256 "),
            let credential = Self.field("Credential", in: authorization),
            let signedHeaders = Self.field("SignedHeaders", in: authorization),
            let signature = Self.field("Signature", in: authorization)
        else {
            return .denied("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.")
        }
        guard credential.split(separator: "/").first.map(String.init) == signer.credentials.accessKeyID else {
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
        // Sign exactly the headers the client signed, at the time it signed them.
        let names = Set(signedHeaders.split(separator: ";").map { $0.lowercased() })
        let headers = request.headers.filter {
            let name = $0.name.lowercased()
            return names.contains(name) && name != "x-amz-date" && name != "authorization"
        }
        let url = "http://\(host)\(request.path)" + (request.query.isEmpty ? "" : "?\(request.query)")
        var copy = HTTPRequest(method: request.method, url: url, headers: headers, body: request.body)
        do {
            try signer.sign(&copy, date: date)
        } catch {
            return .denied(Self.mismatch)
        }
        guard let expected = copy.header("authorization"),
            Self.field("SignedHeaders", in: expected) == signedHeaders,
            Self.field("Signature", in: expected) == signature
        else { return .denied(Self.mismatch) }
        return .allowed
    }

    private func header(_ name: String, in request: ManagementRequest) -> String? {
        request.headers.first { $0.name.lowercased() == name }?.value
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
        var components = DateComponents()
        (components.year, components.month, components.day) = (year, month, day)
        (components.hour, components.minute, components.second) = (hour, minute, second)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: components)
    }

    /// The value of `name=` in an `Authorization` header.
    static func field(_ name: String, in authorization: String) -> String? {
        for part in authorization.split(whereSeparator: { $0 == "," || $0 == " " }) where part.hasPrefix(name + "=") {
            return String(part.dropFirst(name.count + 1))
        }
        return nil
    }
}
