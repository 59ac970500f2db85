internal import Runtime

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The API Gateway `@connections` management API: post to, inspect and close WebSocket connections.
///
/// ```swift
/// let client = try ManagementClient(domainName: event.requestContext.domainName, stage: event.requestContext.stage)
/// try await client.postToConnection(connectionID, data: Data("hello".utf8))
/// ```
///
/// Throttling (429), server errors (5xx) and transport failures are retried with jittered exponential
/// backoff; gone (410), forbidden (403) and payload-too-large (413) answers are thrown at once.
public struct ManagementClient: Sendable {
    /// `https://{domainName}/{stage}` or the configured override, without a trailing slash.
    public let endpoint: String
    /// Signs every request (service `execute-api`).
    public let signer: SigV4Signer
    /// Sends the requests.
    public let transport: any HTTPTransport
    /// How retryable failures are retried.
    public let retryPolicy: BackoffPolicy
    /// The limit for each attempt.
    public let requestTimeout: Duration

    /// Creates a client for an explicit endpoint.
    public init(
        endpoint: String, signer: SigV4Signer, transport: any HTTPTransport = CurlHTTPTransport.shared,
        retryPolicy: BackoffPolicy = BackoffPolicy(), requestTimeout: Duration = .seconds(5)
    ) {
        var endpoint = endpoint
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        self.endpoint = endpoint
        self.signer = signer
        self.transport = transport
        self.retryPolicy = retryPolicy
        self.requestTimeout = requestTimeout
    }

    /// Creates a client for the API an event came from, with credentials and region from `environment`.
    /// - Parameters:
    ///   - domainName: the event's `requestContext.domainName`.
    ///   - stage: the event's `requestContext.stage`.
    ///   - environment: the variables to read; `nil` reads the process environment.
    /// - Throws: ``AWSConfigurationError`` when credentials or region are missing.
    public init(
        domainName: String, stage: String, environment: [String: String]? = nil,
        transport: any HTTPTransport = CurlHTTPTransport.shared, retryPolicy: BackoffPolicy = BackoffPolicy()
    ) throws(AWSConfigurationError) {
        let environment = environment ?? LambdaEnvironment.processVariables()
        let credentials = try AWSCredentials(environment: environment)
        let region = try AWSRegion.from(environment: environment)
        self.init(
            endpoint: Self.endpoint(domainName: domainName, stage: stage, environment: environment),
            signer: SigV4Signer(credentials: credentials, region: region, service: "execute-api"),
            transport: transport, retryPolicy: retryPolicy)
    }

    /// `AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI`, else `AWS_ENDPOINT_URL` (each used as given, like the AWS
    /// SDKs do), else `https://{domainName}/{stage}` with the stage percent-encoded.
    public static func endpoint(domainName: String, stage: String, environment: [String: String]) -> String {
        for name in ["AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI", "AWS_ENDPOINT_URL"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        return "https://\(domainName)/\(PercentEncoding.encode(stage))"
    }

    // MARK: Calls

    /// Sends `data` to the connection as one WebSocket message (`POST /@connections/{id}`).
    /// - Throws: ``ManagementError``; its kind is ``ManagementError/Kind/gone`` for closed connections.
    public func postToConnection(_ connectionID: String, data: Data) async throws(ManagementError) {
        _ = try await call("POST", connectionID, body: data)
    }

    /// Describes the connection (`GET /@connections/{id}`).
    public func getConnection(_ connectionID: String) async throws(ManagementError) -> ConnectionInfo {
        let response = try await call("GET", connectionID, body: Data())
        do {
            return try JSONDecoder().decode(ConnectionInfo.self, from: response.body)
        } catch {
            throw ManagementError(
                kind: .invalidResponse, connectionID: connectionID, status: response.status,
                message: "cannot read the GetConnection answer: \(error)")
        }
    }

    /// Closes the connection (`DELETE /@connections/{id}`).
    public func deleteConnection(_ connectionID: String) async throws(ManagementError) {
        _ = try await call("DELETE", connectionID, body: Data())
    }

    /// The URL of one connection: the id percent-encoded (`=` → `%3D`).
    public func connectionURL(_ connectionID: String) -> String {
        endpoint + "/@connections/" + PercentEncoding.encode(connectionID)
    }

    /// Sends one call with retries; returns the 2xx response.
    private func call(_ method: String, _ connectionID: String, body: Data) async throws(ManagementError) -> HTTPResponse {
        guard !connectionID.isEmpty else {
            throw ManagementError(kind: .invalidRequest, connectionID: connectionID, message: "the connection id is empty")
        }
        var request = HTTPRequest(method: method, url: connectionURL(connectionID), body: body, timeout: requestTimeout)
        if method == "POST" { request.headers.append(("Content-Type", "application/octet-stream")) }
        let clock = ContinuousClock()
        let start = clock.now
        var attempt = 1
        while true {
            let failure: ManagementError
            do {
                try signer.sign(&request)
            } catch {
                throw ManagementError(kind: .invalidRequest, connectionID: connectionID, message: error.message)
            }
            do {
                let response = try await transport.send(request)
                if (200..<300).contains(response.status) { return response }
                failure = ManagementError(response: response, connectionID: connectionID, attempts: attempt)
            } catch {
                failure = ManagementError(kind: .transport, connectionID: connectionID, message: "\(error)", attempts: attempt)
            }
            guard failure.isRetryable, attempt < retryPolicy.maxAttempts else { throw failure }
            let delay = retryPolicy.delay(beforeRetry: attempt - 1)
            guard clock.now + delay - start <= retryPolicy.maxElapsed else { throw failure }
            do {
                try await Task.sleep(for: delay)
            } catch {
                throw failure
            }
            attempt += 1
        }
    }
}
