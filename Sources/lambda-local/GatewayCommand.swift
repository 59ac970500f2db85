import ArgumentParser
import Foundation
import LocalGateway
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// `lambda-local gateway`: the function behind a local API Gateway WebSocket API.
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Run a function behind a local API Gateway WebSocket API.",
        discussion: """
            Without --function, builds this package's Handlers product (swift build --product Handlers) and runs it.
            Connect with any WebSocket client, e.g. websocat ws://127.0.0.1:3001/dev
            The function gets AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI=http://127.0.0.1:<port>/<stage> and the credentials
            below, so its @connections calls (PostToConnection, GetConnection, DeleteConnection) reach the sockets;
            other clients must sign their @connections requests (SigV4) with the same credentials.
            Crashed functions, and functions that run past --timeout, are restarted.
            Stop with Ctrl-C: every socket is closed with 1001 and the function gets its $disconnect events.
            """
    )

    @Option(name: .long, help: "The function executable (default: this package's Handlers, built first).")
    var function: String?

    @Option(name: .long, help: "WebSocket and @connections port (0 picks a free one).")
    var port: Int = 3001

    @Option(name: .customLong("runtime-api-port"), help: "Runtime API port (0 picks a free one).")
    var runtimeAPIPort: Int = 9001

    @Option(name: .long, help: "The stage: the URL path clients connect to.")
    var stage: String = "dev"

    @Option(name: .customLong("route-selection"), help: "The route selection expression.")
    var routeSelection: String = "$request.body.action"

    @Option(
        name: .long,
        help: "The API's custom routes, comma-separated (e.g. whoAmI,sendMessage): other selected keys go to $default. Default: every key is a route.")
    var routes: String?

    @Option(name: .long, help: "Function processes polling at once.")
    var instances: Int = 1

    @Option(name: .customLong("idle-timeout"), help: "Seconds without messages before a connection is closed (1001).")
    var idleTimeout: Int = 600

    @Option(name: .long, help: "Seconds the function has per event (API Gateway's integration timeout: 29).")
    var timeout: Int = 29

    @Option(name: .customLong("access-key-id"), help: "Access key id of the local @connections API (given to the function).")
    var accessKeyID: String = "AKIDLOCALGATEWAY"

    @Option(name: .customLong("secret-access-key"), help: "Its secret access key.")
    var secretAccessKey: String = "local-gateway-secret"

    @Option(name: .long, help: "The region requests are signed for (given to the function as AWS_REGION).")
    var region: String = "us-east-1"

    @Option(name: .customLong("env"), help: "KEY=VALUE set in the function's environment (repeatable).")
    var environment: [EnvironmentAssignment] = []

    @Option(
        name: .customLong("record-events"),
        help: "Write every event sent to the function into this directory as numbered JSON files (recorded events for tests).")
    var recordEvents: String?

    @Option(
        name: .customLong("event-loop-threads"),
        help: "Threads serving the sockets and the Runtime API (default: one per core).")
    var eventLoopThreads: Int?

    func validate() throws {
        guard (0...65535).contains(port), (0...65535).contains(runtimeAPIPort) else {
            throw ValidationError("ports must be between 0 and 65535")
        }
        guard !stage.isEmpty, !stage.contains("/"), !stage.contains("?") else {
            throw ValidationError("the stage must be one path segment, like dev")
        }
        guard instances >= 1 else { throw ValidationError("--instances must be at least 1") }
        try TimeoutLimits.check(idleTimeout, option: "--idle-timeout")
        try TimeoutLimits.check(timeout, option: "--timeout")
        if let eventLoopThreads, eventLoopThreads < 1 { throw ValidationError("--event-loop-threads must be at least 1") }
    }

    /// `--routes`, parsed.
    var routeKeys: Set<String>? {
        routes.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }) }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
        let logger = Logger(label: "lambda-local")
        let executable = try function ?? Self.buildHandlers()
        let link = SupervisorLink()
        let group: any EventLoopGroup = eventLoopThreads.map { MultiThreadedEventLoopGroup(numberOfThreads: $0) }
            ?? MultiThreadedEventLoopGroup.singleton
        let runtime = RuntimeAPIMock(configuration: .init(
            port: runtimeAPIPort, timeout: .seconds(timeout),
            onTimeout: { address, process in
                guard let pid = link.stopTimedOut(address: address, process: process) else { return }
                logger.warning("function timed out after \(timeout) s; stopped process \(pid)")
            },
            connectionOwner: { link.owner(of: $0) }), group: group)
        try await runtime.start()
        let gateway = try WebSocketGateway(
            configuration: .init(
                port: port, stage: stage, routeSelectionExpression: routeSelection, routeKeys: routeKeys,
                idleTimeout: .seconds(idleTimeout), recordDirectory: recordEvents),
            runtime: runtime,
            authorizer: ManagementAuthorizer.make(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, region: region),
            logger: logger, group: group)
        try await gateway.start()

        var functionEnvironment = environment.dictionary
        // Like API Gateway's own endpoint (https://{domainName}/{stage}), the override carries the stage: the
        // management client uses it as given.
        functionEnvironment["AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI"] = "\(gateway.managementEndpoint)/\(stage)"
        functionEnvironment["AWS_ACCESS_KEY_ID"] = accessKeyID
        functionEnvironment["AWS_SECRET_ACCESS_KEY"] = secretAccessKey
        functionEnvironment["AWS_REGION"] = region
        let supervisor = FunctionSupervisor(
            configuration: .init(executable: executable, environment: functionEnvironment, instances: instances),
            runtimeAPI: runtime.runtimeAPIAddress,
            onExit: { exit in
                logger.error("function exited with status \(exit.status); restarting")
                runtime.processExited(pid: exit.pid, reason: RuntimeAPIMock.exitReason(status: exit.status))
            })
        link.attach(supervisor)
        do {
            try supervisor.start()
        } catch {
            try await gateway.shutdown()
            try await runtime.shutdown()
            throw ValidationError("\(error)")
        }
        FileHandle.standardOutput.write(Data("""
            WebSocket API: \(gateway.webSocketURL)
            @connections:  \(gateway.managementEndpoint)/\(stage)/@connections/{connectionId}

            """.utf8))
        await SignalWaiter.waitForTermination()
        logger.info("closing \(gateway.connectionIDs.count) connection(s)")
        try await gateway.shutdown()
        supervisor.stop()
        try await runtime.shutdown()
    }

    /// Builds the package's `Handlers` product and returns its path.
    static func buildHandlers() throws -> String {
        let build = Process()
        build.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        build.arguments = ["swift", "build", "--product", "Handlers"]
        try build.run()
        build.waitUntilExit()
        guard build.terminationStatus == 0 else { throw ValidationError("swift build --product Handlers failed") }
        let binPath = Process()
        binPath.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        binPath.arguments = ["swift", "build", "--show-bin-path"]
        let output = Pipe()
        binPath.standardOutput = output
        try binPath.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        binPath.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) + "/Handlers"
    }
}
