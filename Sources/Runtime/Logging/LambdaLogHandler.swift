#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
public import Logging

/// A swift-log handler that writes Lambda's log formats to standard error, one `write(2)` a line so that
/// lines from concurrent tasks never interleave.
public struct LambdaLogHandler: LogHandler {
    /// The metadata key that holds the request id; the handler gives it a field of its own.
    public static let requestIDKey = "requestId"

    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    /// The request id, kept apart from the other metadata: it is set for every invocation, and a field costs
    /// less than a dictionary of one entry.
    private var requestID: Logger.Metadata.Value?
    private var otherMetadata: Logger.Metadata = [:]
    private let label: String
    private let format: LogFormat
    private let fileDescriptor: Int32

    /// - Parameters:
    ///   - label: the logger's label, written in JSON lines as `logger`.
    ///   - format: text or JSON lines.
    ///   - level: the lowest level written.
    ///   - fileDescriptor: where lines go; standard error by default.
    public init(label: String, format: LogFormat, level: Logger.Level, fileDescriptor: Int32 = 2) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.fileDescriptor = fileDescriptor
    }

    /// A logger configured from the environment's log format and level.
    public static func logger(label: String, environment: LambdaEnvironment) -> Logger {
        Logger(label: label) { label in
            LambdaLogHandler(label: label, format: environment.logFormat, level: environment.logLevel.level)
        }
    }

    public var metadata: Logger.Metadata {
        get {
            var metadata = otherMetadata
            if let requestID { metadata[Self.requestIDKey] = requestID }
            return metadata
        }
        set {
            var metadata = newValue
            requestID = metadata.removeValue(forKey: Self.requestIDKey)
            otherMetadata = metadata
        }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { key == Self.requestIDKey ? requestID : otherMetadata[key] }
        set {
            if key == Self.requestIDKey {
                requestID = newValue
            } else {
                otherMetadata[key] = newValue
            }
        }
    }

    public func log(event: LogEvent) {
        var merged = otherMetadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        // A request id given with the line or by the provider wins over the handler's own.
        let requestID = (merged.removeValue(forKey: Self.requestIDKey) ?? self.requestID).map { "\($0)" }
        let line: String
        switch format {
        case .text:
            line = textLine(event: event, requestID: requestID, metadata: merged)
        case .json:
            line = jsonLine(event: event, requestID: requestID, metadata: merged)
        }
        var bytes = Array(line.utf8)
        bytes.append(10)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }

    private func textLine(event: LogEvent, requestID: String?, metadata: Logger.Metadata) -> String {
        var line = WallClock.iso8601Now()
        line += "\t"
        line += requestID ?? "-"
        line += "\t"
        line += LogLevelSetting.lambdaName(of: event.level)
        line += "\t"
        // One physical line per record: embedded newlines would split it into several CloudWatch events.
        line += "\(event.message)".replacingNewlines()
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)".replacingNewlines()
        }
        return line
    }

    private func jsonLine(event: LogEvent, requestID: String?, metadata: Logger.Metadata) -> String {
        let record = JSONLogRecord(
            timestamp: WallClock.iso8601Now(),
            level: LogLevelSetting.lambdaName(of: event.level),
            requestId: requestID,
            message: "\(event.message)",
            logger: label,
            metadata: metadata.isEmpty ? nil : metadata.mapValues { "\($0)" }
        )
        guard let data = try? JSONEncoder().encode(record) else {
            return #"{"level":"ERROR","message":"unencodable log record"}"#
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// One JSON log line, in the field order Lambda's own runtimes use.
private struct JSONLogRecord: Encodable {
    var timestamp: String
    var level: String
    var requestId: String?
    var message: String
    var logger: String
    var metadata: [String: String]?
}

extension String {
    fileprivate func replacingNewlines() -> String {
        guard contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return self }
        var result = ""
        for character in self {
            switch character {
            case "\n", "\r\n": result += "\\n"
            case "\r": result += "\\r"
            default: result.append(character)
            }
        }
        return result
    }
}
