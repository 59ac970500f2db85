import Foundation
import HandlerKit

/// The function's answer to a WebSocket event: `{"statusCode": …, "body": …, "headers": …, "isBase64Encoded": …}`.
struct IntegrationResponse: Sendable {
    var statusCode: Int
    /// The body as sent (base64 text when ``isBase64Encoded``).
    var body: String?
    var headers: [String: String]
    var isBase64Encoded: Bool

    /// Reads a function response (HandlerKit's ``WebSocketResponse`` shape). An answer that is not such an
    /// object counts as a 200 whose body is the raw text, as API Gateway passes through output that is not
    /// proxy-shaped; `null` or nothing has no body. A `statusCode` given as a numeric string is accepted.
    init(_ data: Data) {
        // The byte reader first (every message); JSONDecoder for what only it accepts (a trailing comma, say).
        if let response = WebSocketResponse.read(from: data) ?? (try? JSONDecoder().decode(WebSocketResponse.self, from: data)) {
            statusCode = response.statusCode
            body = response.body
            headers = response.headers ?? [:]
            isBase64Encoded = response.isBase64Encoded ?? false
        } else if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], object["statusCode"] != nil {
            statusCode = (object["statusCode"] as? Int) ?? Int((object["statusCode"] as? String) ?? "") ?? 502
            body = object["body"] as? String
            headers = (object["headers"] as? [String: Any])?.compactMapValues { $0 as? String } ?? [:]
            isBase64Encoded = object["isBase64Encoded"] as? Bool ?? false
        } else {
            statusCode = 200
            let text = String(decoding: data, as: UTF8.self)
            body = text.isEmpty || text == "null" ? nil : text
            headers = [:]
            isBase64Encoded = false
        }
    }

    var isSuccess: Bool { (200..<300).contains(statusCode) }

    /// The frame the route response sends: text, or binary for a base64-encoded body.
    var frame: OutgoingFrame? {
        guard let body else { return nil }
        if isBase64Encoded, let bytes = Data(base64Encoded: body) { return .binary(bytes) }
        return .text(body)
    }
}

/// A message the gateway sends to a client.
enum OutgoingFrame: Sendable, Equatable {
    case text(String)
    case binary(Data)

    /// A `@connections` POST payload: a text frame when the bytes are valid UTF-8, else a binary frame.
    init(payload: Data) {
        if let text = String(validating: payload, as: UTF8.self) {
            self = .text(text)
        } else {
            self = .binary(payload)
        }
    }
}
