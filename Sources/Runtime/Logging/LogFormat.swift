public import Logging

/// `AWS_LAMBDA_LOG_FORMAT`: how log lines are written.
public enum LogFormat: String, Sendable {
    /// `timestamp<TAB>requestId<TAB>LEVEL<TAB>message key=value…`
    case text = "Text"
    /// One JSON object a line: `{"timestamp", "level", "requestId", "message", …metadata}`.
    case json = "JSON"

    /// Parses the variable's value case-insensitively; anything else is ``text``.
    public init(_ value: String?) {
        self = value?.uppercased() == "JSON" ? .json : .text
    }
}

/// `AWS_LAMBDA_LOG_LEVEL`, mapped onto swift-log levels.
public struct LogLevelSetting: Sendable, Equatable {
    /// The lowest level written.
    public var level: Logger.Level

    /// Parses `TRACE`, `DEBUG`, `INFO`, `WARN`/`WARNING`, `ERROR`, `FATAL`/`CRITICAL` (any case);
    /// anything else, or nothing, is `INFO`.
    public init(_ value: String?) {
        switch value?.uppercased() {
        case "TRACE": level = .trace
        case "DEBUG": level = .debug
        case "NOTICE": level = .notice
        case "WARN", "WARNING": level = .warning
        case "ERROR": level = .error
        case "FATAL", "CRITICAL": level = .critical
        default: level = .info
        }
    }

    /// The name Lambda uses for `level` in JSON logs.
    public static func lambdaName(of level: Logger.Level) -> String {
        switch level {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info, .notice: "INFO"
        case .warning: "WARN"
        case .error: "ERROR"
        case .critical: "FATAL"
        }
    }
}
