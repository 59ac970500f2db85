#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The request-id pattern: a client puts `"request_id": <string or number>` in a message, and every reply to
/// that message carries the same `request_id` back, so the client can match replies to requests over one
/// socket.
///
/// ```swift
/// router.on("whoAmI") { request in
///     try request.reply(json: WhoAmI(connectionId: request.connectionID))
///     // body: {"request_id":"42","connectionId":"…"} when the message had "request_id": "42"
/// }
/// ```
public enum RequestCorrelation {
    /// The body field that carries the id.
    public static let fieldName = "request_id"

    private static let path: [[UInt8]] = [Array(fieldName.utf8)]

    /// The top-level `request_id` of a JSON message body; nil when absent, not a string or number, a number
    /// too large for a `Double` (`1e400`: it could not be written back), or the body is not JSON.
    public static func requestID(inBody body: String?) -> RequestID? {
        guard let body else { return nil }
        switch JSONPathScanner.scan(body, path: path) {
        case .found(.string(let text)):
            return .string(text)
        case .found(.number(let text)):
            if let integer = Int64(text) { return .integer(integer) }
            guard let number = Double(text), number.isFinite else { return nil }
            return .number(number)
        default:
            return nil
        }
    }

    /// `object` (an encoded JSON object) with `"request_id": id` added as its first member.
    /// - Throws: ``RequestCorrelationError`` when `object` is not a JSON object.
    public static func inserting(_ id: RequestID, into object: Data) throws -> Data {
        guard let open = object.firstIndex(where: { !Self.isWhitespace($0) }), object[open] == UInt8(ascii: "{"),
            let close = object.lastIndex(where: { !Self.isWhitespace($0) }), object[close] == UInt8(ascii: "}")
        else {
            throw RequestCorrelationError()
        }
        let isEmpty = object[(open + 1)..<close].allSatisfy(Self.isWhitespace)
        var result = Data()
        result.reserveCapacity(object.count + fieldName.utf8.count + 32)
        result.append(contentsOf: #"{""#.utf8)
        result.append(contentsOf: fieldName.utf8)
        result.append(contentsOf: #"":"#.utf8)
        result.append(try ResponseJSON.encoder.encode(id))
        if !isEmpty { result.append(UInt8(ascii: ",")) }
        result.append(object[(open + 1)...])
        return result
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}

/// A correlated reply whose payload does not encode to a JSON object, so `request_id` has nowhere to go.
public struct RequestCorrelationError: Error, Sendable, CustomStringConvertible {
    public var description: String { "a reply carrying request_id must encode to a JSON object" }
}

extension WebSocketResponse {
    /// 200 with `value` encoded as a JSON object, carrying `request_id` when `requestID` is non-nil.
    /// - Throws: the encoder's error, or ``RequestCorrelationError`` when `value` is not a JSON object and an
    ///   id must be added.
    public static func ok(
        json value: some Encodable, correlatedWith requestID: RequestID?, headers: [String: String]? = nil
    ) throws -> WebSocketResponse {
        var data = try ResponseJSON.encoder.encode(value)
        if let requestID { data = try RequestCorrelation.inserting(requestID, into: data) }
        return WebSocketResponse(statusCode: 200, body: String(decoding: data, as: UTF8.self), headers: headers)
    }
}
