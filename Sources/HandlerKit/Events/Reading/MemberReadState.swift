/// Bookkeeping while the members of one object are read into a value under construction.
///
/// It reproduces what `JSONDecoder` and a synthesized `Decodable` initializer do: the first occurrence of a key
/// counts and later ones are ignored; of the fields that fail (wrong type, or required and absent), the first
/// in declaration order (`Key.allCases` order) is the one reported, wherever it sits in the document.
struct MemberReadState<Key: RawRepresentable & CaseIterable & Sendable> where Key.RawValue == String {
    typealias Match = JSONKeyTable<Key>.Match

    private var seen: UInt64 = 0
    private var failure: FieldFailure?
    private var failureOrdinal = Int.max

    /// Whether this is the key's first occurrence in the object; it counts as seen from now on.
    mutating func isFirstOccurrence(_ match: Match) -> Bool {
        let bit: UInt64 = 1 << UInt64(match.ordinal)
        defer { seen |= bit }
        return seen & bit == 0
    }

    /// The decoded value of the field, or nil after noting its failure.
    mutating func value<Value>(_ decoded: consuming Decoded<Value>, for match: Match) -> Value? {
        switch consume decoded {
        case .success(let value):
            return value
        case .failure(let error):
            note(error, at: match)
            return nil
        }
    }

    /// Notes the failure of a field read in place, if it failed.
    mutating func check(_ failure: FieldFailure?, for match: Match) {
        if let failure { note(failure, at: match) }
    }

    /// Notes a required field that did not occur.
    mutating func require(_ match: Match) {
        guard seen & (1 << UInt64(match.ordinal)) == 0 else { return }
        note(FieldFailure(reason: "required field is missing"), at: match)
    }

    /// The failure of the first failing field in declaration order; nil when every field decoded.
    var firstFailure: FieldFailure? { failure }

    private mutating func note(_ error: FieldFailure, at match: Match) {
        guard match.ordinal < failureOrdinal else { return }
        failure = error.inside(.key(match.key.rawValue))
        failureOrdinal = match.ordinal
    }
}
