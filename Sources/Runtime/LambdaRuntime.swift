#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
public import Logging

/// The custom-runtime invocation loop: polls the Runtime API, hands each event to the handler with a
/// ``LambdaContext``, and posts the response or a structured error.
///
/// One bad event never stops the loop: an event the handler cannot decode, a handler that throws, malformed
/// invocation headers and oversized responses are all reported for their own request id. Only a broken
/// environment (the Runtime API answering 5xx or unreachable after retries) ends it.
///
/// ```swift
/// @main struct Echo {
///     static func main() async {
///         await LambdaRuntime.start { RawClosureHandler { event, _ in event } }
///     }
/// }
/// ```
public struct LambdaRuntime<Handler: RawLambdaHandler>: Sendable {
    /// The handler every event goes to.
    public let handler: Handler
    /// The configuration read from the environment.
    public let environment: LambdaEnvironment
    /// The runtime's own logger; each invocation gets a copy carrying its request id.
    public let logger: Logger
    /// The handler of ``logger`` when it is the runtime's own, from which each invocation's logger is made.
    private let invocationLogHandler: LambdaLogHandler?

    public init(handler: Handler, environment: LambdaEnvironment = LambdaEnvironment(), logger: Logger? = nil) {
        self.handler = handler
        self.environment = environment
        let logger = logger ?? LambdaLogHandler.logger(label: "Runtime", environment: environment)
        self.logger = logger
        self.invocationLogHandler = logger.handler as? LambdaLogHandler
    }

    /// Serves invocations from `client` until the Runtime API fails fatally.
    /// - Throws: the fatal ``RuntimeAPIError`` that ended the loop.
    public func run(client: some RuntimeAPIClient) async throws -> Never {
        var unanswerable = 0
        while true {
            let invocation: Invocation
            do {
                invocation = try client.nextInvocation()
            } catch let error as RuntimeAPIError where !error.isFatal && error.requestID != nil {
                // An event that arrived incomplete is that invocation's error; the loop goes on, unless every
                // /next keeps ending early.
                unanswerable += 1
                let requestID = error.requestID ?? ""
                logger.error("\(error)", metadata: [LambdaLogHandler.requestIDKey: "\(requestID)"])
                try report(
                    ErrorReport(errorMessage: "\(error)", errorType: "Runtime.IncompleteEvent"), for: requestID,
                    client: client)
                if unanswerable >= 3 { throw RuntimeAPIError.environmentBroken(status: 200, detail: "events keep arriving incomplete") }
                continue
            } catch let error as RuntimeAPIError where !error.isFatal {
                // /next refusing to serve is not an event to report; a few in a row mean the API is broken.
                unanswerable += 1
                logger.error("Runtime API refused /next: \(error)")
                if unanswerable >= 3 { throw RuntimeAPIError.environmentBroken(status: error.status ?? 0, detail: error.detail) }
                continue
            }
            guard !invocation.requestID.isEmpty else {
                unanswerable += 1
                logger.error("Runtime API sent an event without \(Invocation.Header.requestID); it cannot be answered")
                if unanswerable >= 3 {
                    throw RuntimeAPIError.environmentBroken(status: 200, detail: "events arrive without request ids")
                }
                continue
            }
            unanswerable = 0
            try await serve(invocation, client: client)
        }
    }

    /// Handles one invocation and posts its outcome; throws only fatal Runtime API errors.
    nonisolated(nonsending) func serve(_ invocation: consuming Invocation, client: some RuntimeAPIClient) async throws {
        let context: LambdaContext
        do {
            context = try LambdaContext(
                invocation: invocation, function: environment.function, logger: logger,
                logHandler: invocationLogHandler)
        } catch {
            logger.error("invalid invocation headers: \(error)", metadata: [LambdaLogHandler.requestIDKey: "\(invocation.requestID)"])
            try report(ErrorReport(error), for: invocation.requestID, client: client)
            return
        }
        TraceEnvironment.set(invocation.traceID)

        let output: Data
        do {
            output = try await handler.handle(invocation.event, context: context)
        } catch {
            let report = ErrorReport(error)
            context.logger.error("invocation failed: \(report.errorType): \(report.errorMessage)")
            try self.report(report, for: invocation.requestID, client: client)
            return
        }

        do {
            try client.sendResponse(output, for: invocation.requestID)
        } catch let error as RuntimeAPIError where error.isPayloadTooLarge {
            context.logger.error("response not accepted: \(error)")
            let report = ErrorReport(
                errorMessage: "Response payload size (\(output.count) bytes) exceeded the maximum allowed payload size (\(CurlRuntimeAPIClient.maxResponseBytes) bytes).",
                errorType: "Function.ResponseSizeTooLarge")
            try self.report(report, for: invocation.requestID, client: client)
        } catch let error as RuntimeAPIError where !error.isFatal {
            context.logger.error("response not accepted: \(error)")
        }
    }

    private func report(_ report: ErrorReport, for requestID: String, client: some RuntimeAPIClient) throws {
        do {
            try client.sendError(report, for: requestID)
        } catch let error as RuntimeAPIError where !error.isFatal {
            logger.error("error report not accepted: \(error)", metadata: [LambdaLogHandler.requestIDKey: "\(requestID)"])
        }
    }
}

extension LambdaRuntime {
    /// Starts a function process: builds the handler, reports a failure to do so to `/runtime/init/error`,
    /// then serves invocations until the environment breaks. Never returns; exits non-zero on failure.
    ///
    /// Called from the main thread before anything has suspended (top-level code or an async `main`), the
    /// runtime keeps the process on that thread: initialisation, the invocation loop and the handler's
    /// nonisolated work run on an ``InvocationThreadExecutor`` the main thread drives, which also serves the
    /// main queue, so `@MainActor` code runs there too. No thread pool starts unless the handler uses one
    /// (actors, unstructured tasks, `Task.sleep`'s timer). The handler then runs on the main thread: it must
    /// not `DispatchQueue.main.sync`, nor block waiting for main-actor work. Called elsewhere, the runtime
    /// runs on the global concurrent executor.
    ///
    /// - Parameter makeHandler: initialisation (configuration, clients, connection pools) and the handler.
    nonisolated(nonsending) public static func start(
        environment: LambdaEnvironment = LambdaEnvironment(),
        _ makeHandler: () async throws -> Handler
    ) async -> Never {
        if InvocationThreadExecutor.onMainThread, let executor = InvocationThreadExecutor(servingMainQueue: true) {
            withoutActuallyEscaping(makeHandler) { makeHandler in
                // `run` never returns, so the closure cannot outlive this call.
                nonisolated(unsafe) let makeHandler = makeHandler
                executor.run { await launch(environment: environment, makeHandler) } as Never
            }
        }
        // Not on the main thread: the caller's executor may be one others need, so the runtime leaves it.
        await launch(environment: environment, makeHandler)
    }

    /// Initialises the handler (reporting a failure to `/runtime/init/error`) where it is called, then serves
    /// invocations on the task's preferred executor or the global one.
    nonisolated(nonsending) private static func launch(
        environment: LambdaEnvironment, _ makeHandler: () async throws -> Handler
    ) async -> Never {
        let logger = LambdaLogHandler.logger(label: "Runtime", environment: environment)
        guard let value = environment.runtimeAPI, let endpoint = RuntimeAPIEndpoint(value) else {
            logger.critical(
                "AWS_LAMBDA_RUNTIME_API is \(environment.runtimeAPI.map { "'\($0)', not host:port or a URL" } ?? "not set"): this binary runs under Lambda or a Runtime API emulator (try `swift run lambda-local invoke`)")
            exit(1)
        }
        let client: CurlRuntimeAPIClient
        do {
            client = try CurlRuntimeAPIClient(endpoint: endpoint)
        } catch {
            logger.critical("cannot create the Runtime API client: \(error)")
            exit(1)
        }

        let handler: Handler
        do {
            handler = try await makeHandler()
        } catch {
            let report = ErrorReport(error)
            logger.critical("initialisation failed: \(report.errorType): \(report.errorMessage)")
            do {
                try client.sendInitError(report)
            } catch {
                logger.critical("could not report the initialisation error: \(error)")
            }
            exit(1)
        }

        let runtime = LambdaRuntime(handler: handler, environment: environment, logger: logger)
        do {
            try await runtime.run(client: client)
        } catch {
            logger.critical("stopping: \(error)")
            exit(1)
        }
    }
}

extension LambdaRuntime where Handler == RawClosureHandler {
    /// Starts a function whose handler is a closure over raw bytes.
    nonisolated(nonsending) public static func start(
        environment: LambdaEnvironment = LambdaEnvironment(),
        body: @escaping @Sendable (Data, LambdaContext) async throws -> Data
    ) async -> Never {
        await start(environment: environment) { RawClosureHandler(body) }
    }
}

extension LambdaRuntime {
    /// Starts a function whose handler is a typed closure: JSON event in, JSON output out.
    nonisolated(nonsending) public static func start<Event: Decodable, Output: Encodable>(
        environment: LambdaEnvironment = LambdaEnvironment(),
        body: @escaping @Sendable (Event, LambdaContext) async throws -> Output
    ) async -> Never where Handler == CodableLambdaAdapter<ClosureHandler<Event, Output>> {
        await start(environment: environment) { CodableLambdaAdapter(ClosureHandler(body)) }
    }
}
