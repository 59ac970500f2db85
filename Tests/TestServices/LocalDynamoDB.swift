public import DynamoKit
import Foundation

/// A moto server with a DynamoDB client pointed at it, and fresh tables for each test.
public struct LocalDynamoDB: Sendable {
    /// The running server.
    public let server: MotoServer
    /// A client configured as the function would be: from environment variables.
    public let client: DynamoDBClient

    /// The variables a function needs to talk to this server: endpoint override, region, credentials.
    public var environment: [String: String] { Self.environment(endpoint: server.endpoint) }

    /// Starts moto and a client for it.
    public static func start() async throws -> LocalDynamoDB {
        let server = try await MotoServer.start()
        let client = try DynamoDBClient(environment: environment(endpoint: server.endpoint))
        return LocalDynamoDB(server: server, client: client)
    }

    /// One server for the whole test process, started on first use; it stops when the process exits.
    public static let shared = Task { try await LocalDynamoDB.start() }

    private static func environment(endpoint: String) -> [String: String] {
        [
            "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "AKIDLOCALTESTING",
            "AWS_SECRET_ACCESS_KEY": "local-testing-secret",
        ]
    }

    /// A unique table name, so that tests sharing a server never see each other's items.
    public static func uniqueTableName(_ prefix: String = "chat") -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
