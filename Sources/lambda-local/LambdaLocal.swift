import ArgumentParser

/// `lambda-local`: run Lambda functions for API Gateway WebSocket APIs on this machine.
@main
struct LambdaLocal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lambda-local",
        abstract: "Run Lambda functions locally against an emulated Runtime API.",
        subcommands: [GatewayCommand.self, InvokeCommand.self, ServeCommand.self, PackageCommand.self]
    )
}
