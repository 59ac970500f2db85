internal import CCurl

extension CurlURL {
    /// A path to set on a parsed URL. libcurl takes such a path as it is (it does not normalise it as it does
    /// URL text), so a `Path` is one it would have produced: it starts with `/`, holds only visible ASCII but
    /// `?` and `#` (anything else percent-encoded), and has no `.` or `..` segment.
    package struct Path: Sendable {
        /// The path's text.
        package let text: String

        /// Checks `text`; throws `CURLE_URL_MALFORMAT` when it is not such a path.
        package init(_ text: String) throws(CurlError) {
            guard Self.isNormalised(text) else {
                throw CurlError(
                    code: Int(CURLE_URL_MALFORMAT.rawValue),
                    message: "not a percent-encoded absolute path without dot segments: \(text.debugDescription)")
            }
            self.text = text
        }

        /// `directory` (a path ending in `/`), then `segment` percent-encoded as one path segment, then
        /// `suffix`. Only the suffix is checked: the directory was, and an encoded segment is a plain one by
        /// construction (unreserved bytes and `%XX` only, a segment of dots encoded), so a path built on every
        /// invocation (a Runtime API response's) costs no scan of its own.
        package init(directory: Path, segment: String, suffix: Path) {
            precondition(directory.text.utf8.last == UInt8(ascii: "/"), "a directory path ends in '/'")
            text = String(joining: directory.text, segment.percentEncodedPathSegment(), suffix.text)
        }

        /// One pass over the bytes; dots, rare, are looked at more closely.
        private static func isNormalised(_ path: String) -> Bool {
            var path = path
            return path.withUTF8 { bytes -> Bool in
                let count = bytes.count
                guard count > 0, bytes[0] == UInt8(ascii: "/") else { return false }
                for index in 1..<count {
                    let byte = bytes[index]
                    // Visible ASCII but `?` (0x3F) and `#` (0x23).
                    guard byte &- 0x21 < 0x5E, byte != 0x3F, byte != 0x23 else { return false }
                    // A dot that starts a segment of one or two dots.
                    if byte == UInt8(ascii: "."), bytes[index - 1] == UInt8(ascii: "/") {
                        var end = index + 1
                        if end < count, bytes[end] == UInt8(ascii: ".") { end += 1 }
                        if end == count || bytes[end] == UInt8(ascii: "/") { return false }
                    }
                }
                return true
            }
        }
    }
}
