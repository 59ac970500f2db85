import Dispatch
import Foundation
import Logging
import NIOConcurrencyHelpers

/// Writes every event the gateway sends to the function into a directory, one JSON file an event, numbered in
/// the order they arose: `000001-connect.json`, `000002-sendMessage.json`, `000003-disconnect.json`.
///
/// The files are recorded events as HandlerKitTesting loads them (`WebSocketRouterHandler.invoke(recordedAt:)`),
/// pretty-printed with sorted keys so that they read and diff well as test fixtures. ``record(_:routeKey:)``
/// numbers the event at once, on the caller's thread, and leaves the writing to a serial queue off the event
/// loop; each file is written to a temporary name and renamed, so a reader never sees half of one.
final class EventRecorder: Sendable {
    let directory: URL
    private let sequence = NIOLockedValueBox(0)
    private let writes = DispatchQueue(label: "lambdasockets.gateway.event-recorder")
    private let logger: Logger

    /// - Throws: when the directory cannot be created.
    init(directory path: String, logger: Logger) throws {
        directory = URL(fileURLWithPath: path, isDirectory: true)
        self.logger = logger
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Numbers `event`, sent for `routeKey`, and queues its file; returns the file it will be.
    @discardableResult
    func record(_ event: Data, routeKey: String) -> URL {
        let number = sequence.withLockedValue { count -> Int in
            count += 1
            return count
        }
        let file = directory.appendingPathComponent(String(format: "%06d-%@.json", number, Self.fileName(for: routeKey)))
        writes.async { [logger] in
            do {
                try Self.readable(event).write(to: file, options: .atomic)
            } catch {
                logger.warning("could not record the \(routeKey) event in \(file.path): \(error)")
            }
        }
        return file
    }

    /// Waits until every queued file is written.
    func flush() {
        writes.sync {}
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
