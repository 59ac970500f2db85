#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import HandlerKit
internal import Runtime

/// A DynamoDB client speaking the JSON protocol (`POST /`, `X-Amz-Target: DynamoDB_20120810.<Operation>`,
/// `Content-Type: application/x-amz-json-1.0`), signed with SigV4 for the `dynamodb` service.
///
/// Throttling and server errors are retried with jittered exponential backoff; every other failure is
/// thrown at once as a ``DynamoDBError``.
///
/// ```swift
/// let client = try DynamoDBClient(environment: LambdaEnvironment())
/// _ = try await client.putItem(PutItemInput(tableName: "chat", item: ["pk": "a", "sk": "b"]))
/// ```
public final class DynamoDBClient: Sendable {
    /// The service endpoint, e.g. `https://dynamodb.eu-west-1.amazonaws.com`, without a trailing slash.
    public let endpoint: String
    /// Signs every request (service `dynamodb`).
    public let signer: SigV4Signer
    /// Sends the requests.
    public let transport: any HTTPTransport
    /// How throttled and failed calls are retried.
    public let retryPolicy: BackoffPolicy
    /// The limit for each attempt.
    public let requestTimeout: Duration
    private let encoder = JSONEncoder()
    private let decoder = JSONDecoder()

    /// Creates a client for an explicit endpoint.
    public init(
        endpoint: String, signer: SigV4Signer, transport: any HTTPTransport = CurlHTTPTransport.shared,
        retryPolicy: BackoffPolicy = BackoffPolicy(), requestTimeout: Duration = .seconds(10)
    ) {
        var endpoint = endpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        self.endpoint = endpoint
        self.signer = signer
        self.transport = transport
        self.retryPolicy = retryPolicy
        self.requestTimeout = requestTimeout
    }

    /// Creates a client configured as the AWS SDKs are, from environment variables: credentials
    /// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), region (`AWS_REGION` or
    /// `AWS_DEFAULT_REGION`) and endpoint (see ``endpoint(region:environment:)``).
    /// - Parameter environment: the variables to read; `nil` reads the process environment.
    /// - Throws: ``AWSConfigurationError`` naming the missing variables.
    public convenience init(
        environment: [String: String]? = nil, transport: any HTTPTransport = CurlHTTPTransport.shared,
        retryPolicy: BackoffPolicy = BackoffPolicy()
    ) throws(AWSConfigurationError) {
        let environment = environment ?? LambdaEnvironment.processVariables()
        let credentials = try AWSCredentials(environment: environment)
        let region = try AWSRegion.from(environment: environment)
        self.init(
            endpoint: Self.endpoint(region: region, environment: environment),
            signer: SigV4Signer(credentials: credentials, region: region, service: "dynamodb"),
            transport: transport, retryPolicy: retryPolicy)
    }

    /// `AWS_ENDPOINT_URL_DYNAMODB`, else `AWS_ENDPOINT_URL` (as the AWS SDKs read them), else
    /// `https://dynamodb.{region}.amazonaws.com`.
    public static func endpoint(region: String, environment: [String: String]) -> String {
        for name in ["AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        return "https://dynamodb.\(region).amazonaws.com"
    }

    // MARK: Items

    /// Writes an item (`PutItem`).
    public func putItem(_ input: PutItemInput) async throws -> PutItemOutput {
        try await send("PutItem", input)
    }

    /// Reads one item by key (`GetItem`).
    public func getItem(_ input: GetItemInput) async throws -> GetItemOutput {
        try await send("GetItem", input)
    }

    /// Deletes one item by key (`DeleteItem`).
    public func deleteItem(_ input: DeleteItemInput) async throws -> DeleteItemOutput {
        try await send("DeleteItem", input)
    }

    /// One page of a `Query`.
    public func query(_ input: QueryInput) async throws -> QueryOutput {
        try await send("Query", input)
    }

    /// Every item a `Query` matches, following `LastEvaluatedKey` page after page.
    public func queryAll(_ input: QueryInput) async throws -> [Item] {
        var page = input
        var items: [Item] = []
        while true {
            let output = try await query(page)
            items += output.items ?? []
            guard let next = output.lastEvaluatedKey, !next.isEmpty else { return items }
            page.exclusiveStartKey = next
        }
    }

    /// One `BatchWriteItem` call (at most 25 requests); its answer lists what was left unprocessed.
    public func batchWriteItem(_ input: BatchWriteItemInput) async throws -> BatchWriteItemOutput {
        try await send("BatchWriteItem", input)
    }

    /// Performs any number of puts and deletes on one table: `BatchWriteItem` calls of 25, re-sending
    /// unprocessed requests with backoff.
    /// - Throws: ``DynamoDBError`` with kind ``DynamoDBError/Kind/throttled`` when some requests stay
    ///   unprocessed after every retry.
    public func batchWriteAll(_ requests: [WriteRequest], tableName: String) async throws {
        var start = requests.startIndex
        while start < requests.endIndex {
            let end = min(start + Self.batchWriteLimit, requests.endIndex)
            var pending = Array(requests[start..<end])
            var attempt = 0
            while !pending.isEmpty {
                let output = try await batchWriteItem(BatchWriteItemInput(requestItems: [tableName: pending]))
                pending = output.unprocessedItems?[tableName] ?? []
                guard !pending.isEmpty else { break }
                guard attempt + 1 < retryPolicy.maxAttempts else {
                    throw DynamoDBError(
                        kind: .throttled, type: "UnprocessedItems",
                        message: "\(pending.count) writes were still unprocessed after \(retryPolicy.maxAttempts) attempts",
                        status: 200, operation: "BatchWriteItem")
                }
                try await Task.sleep(for: retryPolicy.delay(beforeRetry: attempt))
                attempt += 1
            }
            start = end
        }
    }

    /// The most requests one `BatchWriteItem` call accepts.
    public static let batchWriteLimit = 25

    // MARK: Tables

    /// Creates a table (`CreateTable`); it is usable once ``waitUntilActive(tableName:timeout:)`` returns.
    public func createTable(_ input: CreateTableInput) async throws -> TableDescriptionOutput {
        try await send("CreateTable", input)
    }

    /// Describes a table (`DescribeTable`).
    public func describeTable(tableName: String) async throws -> TableDescriptionOutput {
        try await send("DescribeTable", TableNameInput(tableName: tableName))
    }

    /// Deletes a table (`DeleteTable`).
    public func deleteTable(tableName: String) async throws -> TableDescriptionOutput {
        try await send("DeleteTable", TableNameInput(tableName: tableName))
    }

    /// Enables (or disables) time to live on an epoch-seconds attribute (`UpdateTimeToLive`).
    public func updateTimeToLive(_ input: UpdateTimeToLiveInput) async throws {
        let _: EmptyOutput = try await send("UpdateTimeToLive", input)
    }

    /// Polls `DescribeTable` until the table is `ACTIVE`.
    /// - Throws: ``DynamoDBError`` when it is not active within `timeout`.
    public func waitUntilActive(tableName: String, timeout: Duration = .seconds(60)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let status = try await describeTable(tableName: tableName).table?.tableStatus
            if status == "ACTIVE" { return }
            guard clock.now < deadline else {
                throw DynamoDBError(
                    kind: .other, type: "TableNotActive",
                    message: "table \(tableName) is \(status ?? "in an unknown state") after \(timeout)",
                    status: nil, operation: "DescribeTable")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    // MARK: Sending

    /// Sends any operation: `input` encoded as its JSON body, the answer decoded as `Output`.
    ///
    /// Throttling, server errors and transport failures are retried within ``retryPolicy``.
    public func send<Input: Encodable, Output: Decodable>(_ operation: String, _ input: Input) async throws -> Output {
        let body: Data
        do {
            body = try encoder.encode(input)
        } catch {
            throw DynamoDBError(
                kind: .validation, type: "EncodingError", message: "\(error)", status: nil, operation: operation)
        }
        var request = HTTPRequest(
            method: "POST", url: endpoint + "/",
            headers: [
                ("Content-Type", "application/x-amz-json-1.0"),
                ("X-Amz-Target", "DynamoDB_20120810.\(operation)"),
            ],
            body: body, timeout: requestTimeout)
        let clock = ContinuousClock()
        let start = clock.now
        var attempt = 0
        while true {
            do {
                try signer.sign(&request)
            } catch {
                throw DynamoDBError(
                    kind: .validation, type: "SigningError", message: error.message, status: nil, operation: operation)
            }
            let failure: DynamoDBError
            do {
                let response = try await transport.send(request)
                if response.status == 200 {
                    return try decode(Output.self, from: response.body, operation: operation)
                }
                failure = DynamoDBError(
                    status: response.status, body: response.body,
                    errorTypeHeader: response.header("x-amzn-ErrorType"), operation: operation)
            } catch let error as DynamoDBError {
                throw error
            } catch {
                failure = DynamoDBError(
                    kind: .transport, type: "TransportError", message: "\(error)", status: nil, operation: operation)
            }
            try await pauseBeforeRetry(after: failure, attempt: &attempt, since: start, clock: clock)
        }
    }

    /// Sleeps before the next attempt, or throws `failure` when it is final or the policy is spent.
    private func pauseBeforeRetry(
        after failure: DynamoDBError, attempt: inout Int, since start: ContinuousClock.Instant, clock: ContinuousClock
    ) async throws(DynamoDBError) {
        guard failure.isRetryable, attempt + 1 < retryPolicy.maxAttempts else { throw failure }
        let delay = retryPolicy.delay(beforeRetry: attempt)
        guard clock.now + delay - start <= retryPolicy.maxElapsed else { throw failure }
        do {
            try await Task.sleep(for: delay)
        } catch {
            throw failure
        }
        attempt += 1
    }

    private func decode<Output: Decodable>(_ type: Output.Type, from body: Data, operation: String) throws -> Output {
        do {
            // Some operations answer with an empty body; treat it as an empty object.
            return try decoder.decode(Output.self, from: body.isEmpty ? Data("{}".utf8) : body)
        } catch {
            throw DynamoDBError(
                kind: .invalidResponse, type: "InvalidResponse",
                message: "cannot read the \(operation) answer: \(error)", status: 200, operation: operation)
        }
    }
}
