import Runtime

/// Why one field of an event could not be decoded, and where it is.
///
/// The event reader does not stop at such a failure: it reads on, so that a syntax error later in the document
/// is still reported first (as `JSONDecoder` does, which validates the whole document before decoding), and
/// each object then reports the failure of its first field in declaration order (as synthesized `Codable`
/// initializers do).
struct FieldFailure: Error {
    /// One step of a field path.
    enum PathComponent {
        case key(String)
        case index(Int)
    }

    /// The path from the failing value out to the root: innermost first.
    private(set) var reversedPath: [PathComponent] = []
    /// What was wrong, e.g. `expected String, found a number`.
    let reason: String

    init(reason: String) {
        self.reason = reason
    }

    /// The same failure, seen from the object or array that contains the failing value.
    func inside(_ component: PathComponent) -> FieldFailure {
        var failure = self
        failure.reversedPath.append(component)
        return failure
    }

    /// The public error: `requestContext.identity.sourceIp: expected String, found a number`.
    var decodingError: EventDecodingError {
        var path = ""
        for component in reversedPath.reversed() {
            switch component {
            case .key(let key):
                if !path.isEmpty { path += "." }
                path += key
            case .index(let index):
                path += "[\(index)]"
            }
        }
        return EventDecodingError(fieldPath: path, reason: reason)
    }
}

/// A value read from the event, or why it could not be.
typealias Decoded<Value> = Result<Value, FieldFailure>
