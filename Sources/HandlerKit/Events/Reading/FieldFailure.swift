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

    /// A required field that is absent.
    static func missing(_ key: String) -> FieldFailure {
        FieldFailure(reason: "required field is missing").inside(.key(key))
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

extension Optional {
    /// The decoded value of a required field, which is in this slot when the object had the key.
    /// - Throws: the field's failure, with `key` added to its path; or ``FieldFailure/missing(_:)``.
    consuming func required<Value>(_ key: String) throws(FieldFailure) -> Value where Wrapped == Decoded<Value> {
        switch self {
        case .none: throw FieldFailure.missing(key)
        case .success(let value): return value
        case .failure(let failure): throw failure.inside(.key(key))
        }
    }

    /// The decoded value of an optional field (nil when the key is absent or its value is `null`).
    /// - Throws: the field's failure, with `key` added to its path.
    consuming func optional<Value>(_ key: String) throws(FieldFailure) -> Value? where Wrapped == Decoded<Value?> {
        switch self {
        case .none: return nil
        case .success(let value): return value
        case .failure(let failure): throw failure.inside(.key(key))
        }
    }
}
