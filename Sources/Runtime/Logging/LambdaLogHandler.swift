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

    /// Everything but the request id, shared by copies of a handler until one of them changes it.
    ///
    /// The runtime gives each invocation a logger whose request id is its own. Kept apart, as one string next
    /// to one reference, the handler fits a `Logger`'s inline existential storage (three words): setting the
    /// id copies no heap box of the handler's fields, on every invocation.
    private final class Settings: Sendable {
        let label: String
        let format: LogFormat
        let fileDescriptor: Int32
        let logLevel: Logger.Level
        let metadataProvider: Logger.MetadataProvider?
        let metadata: Logger.Metadata

        init(
            label: String, format: LogFormat, fileDescriptor: Int32, logLevel: Logger.Level,
            metadataProvider: Logger.MetadataProvider?, metadata: Logger.Metadata
        ) {
            self.label = label
            self.format = format
            self.fileDescriptor = fileDescriptor
            self.logLevel = logLevel
            self.metadataProvider = metadataProvider
            self.metadata = metadata
        }

        func with(
            logLevel: Logger.Level? = nil, metadataProvider: Logger.MetadataProvider?? = nil,
            metadata: Logger.Metadata? = nil
        ) -> Settings {
            Settings(
                label: label, format: format, fileDescriptor: fileDescriptor, logLevel: logLevel ?? self.logLevel,
                metadataProvider: metadataProvider ?? self.metadataProvider, metadata: metadata ?? self.metadata)
        }
    }

    private var settings: Settings
    /// The request id, as it is written: a value other than a string given for ``requestIDKey`` is kept as
    /// its description.
    private var requestID: String?

    /// - Parameters:
    ///   - label: the logger's label, written in JSON lines as `logger`.
    ///   - format: text or JSON lines.
    ///   - level: the lowest level written.
    ///   - fileDescriptor: where lines go; standard error by default.
    public init(label: String, format: LogFormat, level: Logger.Level, fileDescriptor: Int32 = 2) {
        settings = Settings(
            label: label, format: format, fileDescriptor: fileDescriptor, logLevel: level, metadataProvider: nil,
            metadata: [:])
    }

    /// A logger configured from the environment's log format and level.
    public static func logger(label: String, environment: LambdaEnvironment) -> Logger {
        Logger(label: label) { label in
            LambdaLogHandler(label: label, format: environment.logFormat, level: environment.logLevel.level)
        }
    }

    public var logLevel: Logger.Level {
        get { settings.logLevel }
        set { settings = settings.with(logLevel: newValue) }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { settings.metadataProvider }
        set { settings = settings.with(metadataProvider: .some(newValue)) }
    }

    public var metadata: Logger.Metadata {
        get {
            var metadata = settings.metadata
            if let requestID { metadata[Self.requestIDKey] = .string(requestID) }
            return metadata
        }
        set {
            var metadata = newValue
            requestID = metadata.removeValue(forKey: Self.requestIDKey).map(Self.text)
            settings = settings.with(metadata: metadata)
        }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { key == Self.requestIDKey ? requestID.map { .string($0) } : settings.metadata[key] }
        set {
            if key == Self.requestIDKey {
                requestID = newValue.map(Self.text)
            } else {
                var metadata = settings.metadata
                metadata[key] = newValue
                settings = settings.with(metadata: metadata)
            }
        }
    }

    /// This handler with `requestID` as the request id: what a ``LambdaContext``'s logger gets, made without
    /// going through a `Logger`'s metadata subscript (which copies the optional values it passes on).
    func settingRequestID(_ requestID: String) -> LambdaLogHandler {
        var handler = self
        handler.requestID = requestID
        return handler
    }

    private static func text(_ value: Logger.Metadata.Value) -> String {
        if case .string(let text) = value { return text }
        return "\(value)"
    }

    public func log(event: LogEvent) {
        var merged = settings.metadata
        if let provided = settings.metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        // A request id given with the line or by the provider wins over the handler's own.
        let requestID = merged.removeValue(forKey: Self.requestIDKey).map(Self.text) ?? self.requestID
        let line: String
        switch settings.format {
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
                let written = write(settings.fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
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
            logger: settings.label,
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
