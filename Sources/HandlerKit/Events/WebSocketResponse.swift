#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a WebSocket route returns to API Gateway: `{"statusCode": 200, "body": "...", "headers": {...}}`.
///
/// On `$connect`, a non-2xx ``statusCode`` rejects the handshake. A ``body`` reaches the client only on
/// routes that have a route response (two-way routes).
public struct WebSocketResponse: Codable, Sendable, Hashable {
    public var statusCode: Int
    public var body: String?
    public var headers: [String: String]?
    /// Whether ``body`` is base64 of binary data.
    public var isBase64Encoded: Bool?

    public init(statusCode: Int, body: String? = nil, headers: [String: String]? = nil, isBase64Encoded: Bool? = nil) {
        self.statusCode = statusCode
        self.body = body
        self.headers = headers
        self.isBase64Encoded = isBase64Encoded
    }

    /// 200 with no body: accept a connection, acknowledge a message.
    public static let ok = WebSocketResponse(statusCode: 200)

    /// 200 with a text body.
    public static func ok(body: String, headers: [String: String]? = nil) -> WebSocketResponse {
        WebSocketResponse(statusCode: 200, body: body, headers: headers)
    }

    /// 200 with `value` encoded as JSON (keys sorted, slashes unescaped).
    /// - Throws: the encoder's error when `value` cannot be encoded.
    public static func ok(json value: some Encodable, headers: [String: String]? = nil) throws -> WebSocketResponse {
        let data = try ResponseJSON.encoder.encode(value)
        return WebSocketResponse(statusCode: 200, body: String(decoding: data, as: UTF8.self), headers: headers)
    }

    /// Any status with an optional body; on `$connect`, a non-2xx status rejects the connection.
    public static func status(_ statusCode: Int, body: String? = nil) -> WebSocketResponse {
        WebSocketResponse(statusCode: statusCode, body: body)
    }

    /// Whether ``statusCode`` is 2xx.
    public var isSuccess: Bool { (200..<300).contains(statusCode) }
}

/// The JSON encoder response bodies share.
enum ResponseJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
