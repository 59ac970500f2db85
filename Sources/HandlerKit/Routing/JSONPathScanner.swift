/// Finds the value at a key path in a JSON text without building a tree.
///
/// Route selection needs one string out of a message body that may be 128 KB: decoding the whole body into
/// values would allocate for every member. This scan checks that the whole text is one valid JSON document
/// (with ``JSONByteReader``; a `\u` escape of an unpaired UTF-16 surrogate is read as U+FFFD, not refused) and
/// copies out only the value at the path; nothing is allocated unless that value is a string longer than 15
/// bytes. Nesting deeper than ``JSONByteReader/maximumDepth`` counts as
/// invalid rather than risking the stack.
struct JSONPathScanner {
    /// The value found at the path.
    enum Found: Equatable, Sendable {
        /// A string, unescaped.
        case string(String)
        /// A number, as written.
        case number(String)
        /// An object, an array, `true`, `false` or `null`.
        case other
    }

    /// The outcome of a scan.
    enum Outcome: Equatable, Sendable {
        /// The text is not a single valid JSON document.
        case invalidJSON
        /// The document is valid but has nothing at the path.
        case missing
        /// The value at the path (the last one, if keys repeat).
        case found(Found)
    }

    /// Scans `text` for the value at `path` (UTF-8 keys, outermost first; an empty path is the root).
    static func scan(_ text: String, path: [[UInt8]]) -> Outcome {
        var text = text
        return text.withUTF8 { bytes in scan(bytes, path: path) }
    }

    /// Scans UTF-8 `bytes` for the value at `path`.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, path: [[UInt8]]) -> Outcome {
        guard !bytes.isEmpty else { return .invalidJSON }
        var scanner = JSONPathScanner(reader: JSONByteReader(bytes, acceptsUnpairedSurrogates: true), path: path)
        do throws(JSONSyntaxError) {
            try scanner.scanValue(level: 0)
            try scanner.reader.expectEnd()
        } catch {
            return .invalidJSON
        }
        return scanner.found.map { .found($0) } ?? .missing
    }

    private var reader: JSONByteReader
    private let path: [[UInt8]]
    private var found: Found?

    /// Reads one value; `level` is how many path keys lead here, or nil when off the path.
    private mutating func scanValue(level: Int?) throws(JSONSyntaxError) {
        guard let level else { return try reader.skipValue() }
        if level == path.count { return try capture() }
        guard try reader.peekKind() == .object else { return try reader.skipValue() }
        try reader.enterObject()
        var count = 0
        while let key = try reader.nextKey(&count) {
            try scanValue(level: reader.token(key, equals: path[level]) ? level + 1 : nil)
        }
    }

    /// Reads the value at the path (a later one replaces an earlier one, when keys repeat).
    private mutating func capture() throws(JSONSyntaxError) {
        switch try reader.peekKind() {
        case .string:
            found = .string(reader.string(try reader.readStringToken()))
        case .number:
            let token = try reader.readNumberToken()
            found = .number(String(decoding: reader.raw(token.text), as: UTF8.self))
        default:
            try reader.skipValue()
            found = .other
        }
    }
}
