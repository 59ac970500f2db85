import Foundation
public import HandlerKit

/// Verifies the SigV4 signature of `@connections` requests, as API Gateway does, by signing the same
/// request again with the expected credentials and comparing.
public struct SigV4Verifier: Sendable {
    private let signer: SigV4Signer

    /// - Parameters:
    ///   - credentials: the credentials the function was given.
    ///   - region: the region in the credential scope.
    public init(credentials: AWSCredentials, region: String) {
        signer = SigV4Signer(credentials: credentials, region: region, service: "execute-api")
    }

    /// Whether `request` carries a valid signature made with the expected credentials.
    public func verify(_ request: ManagementRequest) -> Bool {
        guard let authorization = header("authorization", in: request),
              let amzDate = header("x-amz-date", in: request),
              let date = Self.date(fromAmzDate: amzDate),
              let signedHeaders = Self.field("SignedHeaders", in: authorization),
              let host = header("host", in: request)
        else { return false }
        // Sign exactly the headers the client signed, at the time it signed them.
        let names = Set(signedHeaders.split(separator: ";").map { $0.lowercased() })
        let headers = request.headers.filter {
            let name = $0.name.lowercased()
            return names.contains(name) && name != "x-amz-date" && name != "host" && name != "authorization"
        }
        let url = "http://\(host)\(request.path)" + (request.query.isEmpty ? "" : "?\(request.query)")
        var copy = HTTPRequest(method: request.method, url: url, headers: headers, body: request.body)
        do {
            try signer.sign(&copy, date: date)
        } catch {
            return false
        }
        return copy.header("authorization") == authorization
    }

    private func header(_ name: String, in request: ManagementRequest) -> String? {
        request.headers.first { $0.name.lowercased() == name }?.value
    }

    /// `20261125T083000Z` → a date.
    static func date(fromAmzDate text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.date(from: text)
    }

    /// The value of `name=` in an `Authorization` header.
    static func field(_ name: String, in authorization: String) -> String? {
        for part in authorization.split(whereSeparator: { $0 == "," || $0 == " " }) where part.hasPrefix(name + "=") {
            return String(part.dropFirst(name.count + 1))
        }
        return nil
    }
}
