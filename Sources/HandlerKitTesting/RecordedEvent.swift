#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import HandlerKit
public import Runtime

extension WebSocketEvent {
    /// Loads a recorded event (the JSON API Gateway sent, as captured in CloudWatch or by the local gateway).
    /// - Throws: ``RecordedEventError`` naming the file and, for a malformed event, the field.
    public init(recordedAt path: String) throws(RecordedEventError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw RecordedEventError(path: path, reason: "cannot be read: \(error)")
        }
        do {
            self = try WebSocketEvent.decode(from: data)
        } catch {
            throw RecordedEventError(path: path, reason: "is not a WebSocket event: \(error)", decodingError: error)
        }
    }
}

/// A recorded event file that cannot be read or decoded.
public struct RecordedEventError: Error, Sendable, CustomStringConvertible {
    /// The file.
    public let path: String
    /// What went wrong.
    public let reason: String
    /// The decoding error naming the field, when the file was read but did not decode.
    public let decodingError: EventDecodingError?

    public init(path: String, reason: String, decodingError: EventDecodingError? = nil) {
        self.path = path
        self.reason = reason
        self.decodingError = decodingError
    }

    public var description: String { "\(path) \(reason)" }
}
