/// A router's routes, sorted by key and searched by bisection.
///
/// A sorted array rather than a dictionary: a lookup costs a few string comparisons, less than hashing the key
/// (about 500 instructions an invocation), and building the table does not make the runtime instantiate a
/// dictionary storage type for route values at start (about 20k instructions).
struct RouteTable: Sendable {
    private(set) var routes: [WebSocketRouterHandler.Route] = []

    /// The route whose key is `key`, if any.
    subscript(key: String) -> WebSocketRouterHandler.Route? {
        let index = insertionIndex(of: key)
        guard index < routes.count, routes[index].key.rawValue == key else { return nil }
        return routes[index]
    }

    /// Adds `route`, replacing the route with the same key.
    mutating func set(_ route: WebSocketRouterHandler.Route) {
        let index = insertionIndex(of: route.key.rawValue)
        if index < routes.count, routes[index].key == route.key {
            routes[index] = route
        } else {
            routes.insert(route, at: index)
        }
    }

    /// The keys of every route.
    var keys: [WebSocketRouteKey] { routes.map(\.key) }

    /// The first position whose key is not below `key`.
    private func insertionIndex(of key: String) -> Int {
        var low = 0
        var high = routes.count
        while low < high {
            let middle = (low + high) / 2
            if routes[middle].key.rawValue < key { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
