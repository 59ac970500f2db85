/// A WebSocket API's route selection expression, `$request.body.<key>[.<key>…]`, parsed once and evaluated
/// against message bodies.
///
/// Evaluation follows API Gateway: the value at the path must be a non-empty JSON string; a missing key, a
/// value of another type, or a body that is not JSON selects nothing, and the message goes to `$default`.
/// Only messages are routed this way: `$connect` and `$disconnect` are never selected by the expression.
public struct RouteSelectionExpression: Sendable, Hashable, CustomStringConvertible {
    /// `$request.body.action`, the expression the console proposes and most APIs use.
    public static let `default` = RouteSelectionExpression(validatedPath: ["action"])

    /// The body keys, outermost first (`["meta", "action"]` for `$request.body.meta.action`).
    public let path: [String]
    private let utf8Path: [[UInt8]]

    private static let prefix = "$request.body."

    /// Parses `expression`.
    /// - Throws: ``RouteSelectionExpressionError`` unless it is `$request.body.` followed by one or more
    ///   non-empty, dot-separated keys.
    public init(_ expression: String) throws(RouteSelectionExpressionError) {
        guard expression.hasPrefix(Self.prefix) else {
            throw RouteSelectionExpressionError(expression: expression, reason: "must start with \(Self.prefix)")
        }
        let keys = expression.dropFirst(Self.prefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard !keys.contains(where: \.isEmpty) else {
            throw RouteSelectionExpressionError(expression: expression, reason: "has an empty key")
        }
        self.init(validatedPath: keys.map(String.init))
    }

    private init(validatedPath: [String]) {
        path = validatedPath
        utf8Path = validatedPath.map { Array($0.utf8) }
    }

    public var description: String { Self.prefix + path.joined(separator: ".") }

    /// The non-empty string at the path in `body`, or nil (no body, not JSON, missing, not a string, empty).
    public func selectedValue(inBody body: String?) -> String? {
        guard let body else { return nil }
        guard case .found(.string(let value)) = JSONPathScanner.scan(body, path: utf8Path), !value.isEmpty else {
            return nil
        }
        return value
    }

    /// The route key API Gateway would pick for a message: the selected value when it names one of `routes`,
    /// else `$default`. Binary frames always go to `$default`.
    public func routeKey(forBody body: String?, isBase64Encoded: Bool = false, routes: Set<String>) -> String {
        guard !isBase64Encoded, let value = selectedValue(inBody: body), routes.contains(value) else {
            return WebSocketRouteKey.default.rawValue
        }
        return value
    }
}

/// A route selection expression that cannot be evaluated.
public struct RouteSelectionExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The expression as given.
    public let expression: String
    /// What is wrong with it.
    public let reason: String

    public var description: String {
        "route selection expression '\(expression)' \(reason) (expected $request.body.<key>[.<key>…])"
    }
}
