import ArgumentParser
import Foundation
import LocalGateway

/// `lambda-local gateway`: the function behind a local API Gateway WebSocket API.
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Run a function behind a local API Gateway WebSocket API.",
        discussion: """
            Connect with any WebSocket client, e.g. websocat ws://127.0.0.1:3001/dev
            The function gets AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI pointing at this gateway, so its
            @connections calls (PostToConnection, GetConnection, DeleteConnection) reach the sockets.
            Crashed functions are restarted. Stop with Ctrl-C: every socket is closed with 1001.
            """
    )

    @Option(name: .long, help: "The function executable (default: the Handlers chat app, built first).")
    var function: String?

    @Option(name: .long, help: "WebSocket and @connections port.")
    var port: Int = 3001

    @Option(name: .customLong("runtime-api-port"), help: "Runtime API port (0 picks a free one).")
    var runtimeAPIPort: Int = 9001

    @Option(name: .long, help: "The stage: the URL path clients connect to.")
    var stage: String = "dev"

    @Option(name: .customLong("route-selection"), help: "The route selection expression.")
    var routeSelection: String = "$request.body.action"

    @Option(name: .long, help: "Function processes polling at once.")
    var instances: Int = 1

    @Option(name: .customLong("idle-timeout"), help: "Seconds without messages before a connection is closed.")
    var idleTimeout: Int = 600

    @Option(name: .long, help: "Seconds the function has per event (API Gateway: 29).")
    var timeout: Int = 29

    @Option(name: .customLong("access-key-id"), help: "Credentials given to the function for @connections calls.")
    var accessKeyID: String = "AKIDLOCALGATEWAY"

    @Option(name: .customLong("secret-access-key"))
    var secretAccessKey: String = "local-gateway-secret"

    @Option(name: .long)
    var region: String = "us-east-1"

    @Option(name: .customLong("env"), help: "KEY=VALUE set in the function's environment (repeatable).")
    var environment: [EnvironmentAssignment] = []

    func run() async throws {
        let executable = try function ?? Self.buildHandlers()
        let runtime = RuntimeAPIMock(configuration: .init(port: runtimeAPIPort, timeout: .seconds(timeout)))
        try await runtime.start()
        let gateway = try WebSocketGateway(
            configuration: .init(port: port, stage: stage, routeSelectionExpression: routeSelection, idleTimeout: .seconds(idleTimeout)),
            runtime: runtime,
            authorizer: ManagementAuthorizer.make(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey, region: region))
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
            onExit: { status in
                FileHandle.standardError.write(Data("lambda-local: function exited with status \(status); restarting\n".utf8))
            })
        try supervisor.start()
        FileHandle.standardOutput.write(Data("""
            WebSocket API: \(gateway.webSocketURL)
            @connections:  \(gateway.managementEndpoint)/\(stage)/@connections/{connectionId}

            """.utf8))
        await SignalWaiter.waitForTermination()
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
