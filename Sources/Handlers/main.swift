import ChatApp
import DynamoKit
import HandlerKit
import Logging
import Runtime

// The reference chat function: routes, store and limits are configured by environment variables
// (see docs/ChatApp.md). With CHAT_TABLE_NAME set, connections live in DynamoDB; otherwise in memory.
let environment = LambdaEnvironment()
await LambdaRuntime.start(environment: environment) {
    let configuration = try ChatConfiguration(environment: environment.variables)
    let store: any ConnectionStore
    if let tableName = configuration.tableName {
        store = DynamoDBConnectionStore(client: try DynamoDBClient(environment: environment.variables), tableName: tableName)
    } else {
        store = InMemoryConnectionStore()
    }
    LambdaLogHandler.logger(label: "Handlers", environment: environment).info(
        "chat ready: \(configuration.tableName.map { "DynamoDB table \($0)" } ?? "in-memory store"), connect token \(configuration.connectToken == nil ? "off" : "on")")
    return ChatRouter.make(service: ChatService(store: store, configuration: configuration)).buildHandler()
}
