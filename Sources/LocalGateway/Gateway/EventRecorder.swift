import Foundation
import NIOConcurrencyHelpers

/// Writes every event the gateway sends to the function into a directory, one JSON file an event, numbered in
/// the order they were sent: `0001-connect.json`, `0002-sendMessage.json`, `0003-disconnect.json`.
///
/// The files are recorded events as HandlerKitTesting loads them (`WebSocketRouterHandler.invoke(recordedAt:)`),
/// pretty-printed with sorted keys so that they read and diff well as test fixtures.
final class EventRecorder: Sendable {
    let directory: URL
    private let sequence = NIOLockedValueBox(0)

    /// - Throws: when the directory cannot be created.
    init(directory path: String) throws {
        directory = URL(fileURLWithPath: path, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Writes `event`, sent for `routeKey`; returns the file written.
    @discardableResult
    func record(_ event: Data, routeKey: String) throws -> URL {
        let number = sequence.withLockedValue { count -> Int in
            count += 1
            return count
        }
        let file = directory.appendingPathComponent(String(format: "%04d-%@.json", number, Self.fileName(for: routeKey)))
        try Self.readable(event).write(to: file)
        return file
    }

    /// The route key as a file name part: `$connect` → `connect`, anything but letters, digits, `-` and `_` → `_`.
    static func fileName(for routeKey: String) -> String {
        let name = String(routeKey.drop { $0 == "$" }.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
        return name.isEmpty ? "event" : String(name.prefix(64))
    }

    /// The event re-serialised with indentation and sorted keys; as sent when it is not a JSON object.
    private static func readable(_ event: Data) -> Data {
        guard let object = try? JSONSerialization.jsonObject(with: event),
            let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return event }
        return pretty + Data("\n".utf8)
    }
}
