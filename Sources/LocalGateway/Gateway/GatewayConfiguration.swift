/// Settings of the local API Gateway WebSocket emulator.
public struct GatewayConfiguration: Sendable {
    /// Address to bind; loopback by default.
    public var host: String
    /// The WebSocket and `@connections` port.
    public var port: Int
    /// The stage: clients connect to `ws://host:port/<stage>`.
    public var stage: String
    /// The route selection expression, `$request.body.<path>`.
    public var routeSelectionExpression: String
    /// The API's custom routes (`sendMessage`, …): a selected key that is not one of them goes to `$default`,
    /// as on API Gateway. `nil` treats every selected key as a route.
    public var routeKeys: Set<String>?
    /// A connection with no message either way for this long is closed (API Gateway: 10 minutes).
    public var idleTimeout: Duration
    /// A connection is closed after this long whatever it does (API Gateway: 2 hours).
    public var maxConnectionDuration: Duration
    /// The largest message (API Gateway: 128 KB).
    public var maxMessageBytes: Int
    /// The largest frame (API Gateway: 32 KB).
    public var maxFrameBytes: Int
    /// The API id placed in events.
    public var apiID: String
    /// A directory that receives every event sent to the function as a numbered JSON file (recorded events for
    /// tests); `nil` records nothing.
    public var recordDirectory: String?

    public init(
        host: String = "127.0.0.1",
        port: Int = 3001,
        stage: String = "dev",
        routeSelectionExpression: String = "$request.body.action",
        routeKeys: Set<String>? = nil,
        idleTimeout: Duration = .seconds(600),
        maxConnectionDuration: Duration = .seconds(7200),
        maxMessageBytes: Int = 128 * 1024,
        maxFrameBytes: Int = 32 * 1024,
        apiID: String = "local",
        recordDirectory: String? = nil
    ) {
        self.host = host
        self.port = port
        self.stage = stage
        self.routeSelectionExpression = routeSelectionExpression
        self.routeKeys = routeKeys
        self.idleTimeout = idleTimeout
        self.maxConnectionDuration = maxConnectionDuration
        self.maxMessageBytes = maxMessageBytes
        self.maxFrameBytes = maxFrameBytes
        self.apiID = apiID
        self.recordDirectory = recordDirectory
    }
}
