import Foundation
import Logging
import Runtime
import Testing

@Suite("Log format and level")
struct LoggingTests {
    @Test("AWS_LAMBDA_LOG_LEVEL values map onto swift-log levels", arguments: [
        ("TRACE", Logger.Level.trace), ("debug", .debug), ("INFO", .info), ("WARN", .warning),
        ("ERROR", .error), ("FATAL", .critical), (nil, .info), ("nonsense", .info),
    ] as [(String?, Logger.Level)])
    func levels(value: String?, level: Logger.Level) {
        #expect(LogLevelSetting(value).level == level)
    }

    @Test("AWS_LAMBDA_LOG_FORMAT selects JSON case-insensitively")
    func formats() {
        #expect(LogFormat("JSON") == .json)
        #expect(LogFormat("json") == .json)
        #expect(LogFormat("Text") == .text)
        #expect(LogFormat(nil) == .text)
    }

    /// Logs through a handler writing to a pipe and returns the lines written.
    private func capture(format: LogFormat, level: Logger.Level = .info, _ body: (Logger) -> Void) throws -> [String] {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        var logger = Logger(label: "test") { LambdaLogHandler(label: $0, format: format, level: level, fileDescriptor: fds[1]) }
        logger[metadataKey: LambdaLogHandler.requestIDKey] = "req-42"
        body(logger)
        close(fds[1])
        let data = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true).readDataToEndOfFile()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test("JSON lines carry timestamp, level, requestId, message and metadata")
    func jsonLines() throws {
        let lines = try capture(format: .json) { logger in
            logger.info("hello \"world\"\nsecond line", metadata: ["connection": "abc="])
            logger.debug("filtered out")
        }
        #expect(lines.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(object["level"] as? String == "INFO")
        #expect(object["requestId"] as? String == "req-42")
        #expect(object["message"] as? String == "hello \"world\"\nsecond line")
        #expect((object["metadata"] as? [String: String])?["connection"] == "abc=")
        #expect((object["timestamp"] as? String)?.hasSuffix("Z") == true)
    }

    @Test("the request id reads back through metadata and the subscript; a line's own requestId wins")
    func requestIDMetadata() throws {
        var handler = LambdaLogHandler(label: "test", format: .json, level: .info)
        handler[metadataKey: LambdaLogHandler.requestIDKey] = "req-1"
        handler[metadataKey: "tenant"] = "blue"
        #expect(handler.metadata == [LambdaLogHandler.requestIDKey: "req-1", "tenant": "blue"])
        handler.metadata = [LambdaLogHandler.requestIDKey: "req-2"]
        #expect(handler[metadataKey: LambdaLogHandler.requestIDKey] == "req-2")
        #expect(handler[metadataKey: "tenant"] == nil)

        let lines = try capture(format: .json) { logger in
            logger.info("own")
            logger.info("given", metadata: [LambdaLogHandler.requestIDKey: "req-line"])
        }
        let ids = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["requestId"] as? String }
        #expect(ids == ["req-42", "req-line"])
    }

    @Test("copies of a handler are independent; a request id that is not a string is kept as its text")
    func handlerCopiesAndRequestIDValues() throws {
        var first = LambdaLogHandler(label: "test", format: .text, level: .info)
        first[metadataKey: "tenant"] = "blue"
        var second = first
        second.logLevel = .debug
        second[metadataKey: "tenant"] = "green"
        second[metadataKey: LambdaLogHandler.requestIDKey] = .stringConvertible(42)
        #expect(first.logLevel == .info)
        #expect(first[metadataKey: "tenant"] == "blue")
        #expect(first[metadataKey: LambdaLogHandler.requestIDKey] == nil)
        #expect(second.logLevel == .debug)
        #expect(second[metadataKey: "tenant"] == "green")
        #expect(second[metadataKey: LambdaLogHandler.requestIDKey] == "42")
        second[metadataKey: LambdaLogHandler.requestIDKey] = nil
        #expect(second.metadata == ["tenant": "green"])
    }

    @Test("text lines are one line per record, tab-separated")
    func textLines() throws {
        let lines = try capture(format: .text, level: .debug) { logger in
            logger.warning("two\nlines")
            logger.debug("kept")
        }
        #expect(lines.count == 2)
        let fields = lines[0].split(separator: "\t").map(String.init)
        #expect(fields.count == 4)
        #expect(fields[1] == "req-42")
        #expect(fields[2] == "WARN")
        #expect(fields[3] == "two\\nlines")
    }
}
