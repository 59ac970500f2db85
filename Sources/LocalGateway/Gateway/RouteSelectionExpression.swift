import Foundation

/// A route selection expression of the form `$request.body.<key>[.<key>…]`, evaluated against message bodies.
struct RouteSelectionExpression: Sendable {
    let path: [String]

    /// Parses `expression`; `nil` unless it is `$request.body.` followed by one or more keys.
    init?(_ expression: String) {
        let prefix = "$request.body."
        guard expression.hasPrefix(prefix) else { return nil }
        let keys = expression.dropFirst(prefix.count).split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !keys.isEmpty, !keys.contains(where: \.isEmpty) else { return nil }
        path = keys
    }

    /// The route key for a text message: the string at the path, else `$default` (no JSON object, missing key,
    /// or a value that is not a string).
    func routeKey(forBody body: Data) -> String {
        guard var value = try? JSONSerialization.jsonObject(with: body) else { return "$default" }
        for key in path {
            guard let object = value as? [String: Any], let next = object[key] else { return "$default" }
            value = next
        }
        guard let key = value as? String, !key.isEmpty else { return "$default" }
        return key
    }
}
