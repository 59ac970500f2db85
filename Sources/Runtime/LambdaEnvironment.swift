#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The configuration Lambda passes to a custom runtime through environment variables, read once at start.
public struct LambdaEnvironment: Sendable {
    /// `AWS_LAMBDA_RUNTIME_API`, raw.
    public var runtimeAPI: String?
    /// `_HANDLER`: the handler setting of the function (`bootstrap` for most custom runtimes).
    public var handler: String?
    /// `LAMBDA_TASK_ROOT`: where the deployment package is unpacked.
    public var taskRoot: String?
    /// `AWS_LAMBDA_FUNCTION_NAME`.
    public var functionName: String
    /// `AWS_LAMBDA_FUNCTION_VERSION`.
    public var functionVersion: String
    /// `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, in MB.
    public var memoryLimitMB: Int?
    /// `AWS_LAMBDA_LOG_GROUP_NAME`.
    public var logGroupName: String?
    /// `AWS_LAMBDA_LOG_STREAM_NAME`.
    public var logStreamName: String?
    /// `AWS_LAMBDA_LOG_FORMAT`: `Text` (default) or `JSON`.
    public var logFormat: LogFormat
    /// `AWS_LAMBDA_LOG_LEVEL` (or `LOG_LEVEL`): `TRACE`, `DEBUG`, `INFO` (default), `WARN`, `ERROR`, `FATAL`.
    public var logLevel: LogLevelSetting
    /// `AWS_REGION`, else `AWS_DEFAULT_REGION`.
    public var region: String?

    /// The value of any other variable.
    public let variables: [String: String]

    /// Builds the configuration from `variables`, which default to the process environment.
    public init(variables: [String: String] = LambdaEnvironment.processVariables()) {
        self.variables = variables
        runtimeAPI = variables["AWS_LAMBDA_RUNTIME_API"]
        handler = variables["_HANDLER"]
        taskRoot = variables["LAMBDA_TASK_ROOT"]
        functionName = variables["AWS_LAMBDA_FUNCTION_NAME"] ?? "function"
        functionVersion = variables["AWS_LAMBDA_FUNCTION_VERSION"] ?? "$LATEST"
        memoryLimitMB = variables["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"].flatMap { Int($0) }
        logGroupName = variables["AWS_LAMBDA_LOG_GROUP_NAME"]
        logStreamName = variables["AWS_LAMBDA_LOG_STREAM_NAME"]
        logFormat = LogFormat(variables["AWS_LAMBDA_LOG_FORMAT"])
        logLevel = LogLevelSetting(variables["AWS_LAMBDA_LOG_LEVEL"] ?? variables["LOG_LEVEL"])
        region = variables["AWS_REGION"] ?? variables["AWS_DEFAULT_REGION"]
    }

    /// What every invocation's context repeats about the function.
    struct Function {
        var name: String
        var version: String
        var memoryLimitMB: Int?
    }

    /// The function's name, version and memory, for invocation contexts (read without copying the rest of
    /// the configuration, on every invocation).
    var function: Function { Function(name: functionName, version: functionVersion, memoryLimitMB: memoryLimitMB) }

    /// A snapshot of the process environment.
    public static func processVariables() -> [String: String] {
        var count = 0
        while environ[count] != nil { count += 1 }
        // Sized once: grown entry by entry, the table would be rehashed each time it doubles.
        var result = [String: String](minimumCapacity: count)
        var pointer = environ
        while let entry = pointer.pointee {
            // Split at the first "=" byte: Character-wise search would run grapheme breaking over every entry.
            if let equals = strchr(entry, Int32(UInt8(ascii: "="))) {
                let nameLength = entry.distance(to: equals)
                let name = entry.withMemoryRebound(to: UInt8.self, capacity: nameLength) {
                    String(decoding: UnsafeBufferPointer(start: $0, count: nameLength), as: UTF8.self)
                }
                result[name] = String(cString: equals + 1)
            }
            pointer += 1
        }
        return result
    }
}
