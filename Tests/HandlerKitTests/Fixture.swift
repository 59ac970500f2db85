/// The recorded events under `Fixtures/`, found next to this source file.
enum Fixture: String, CaseIterable, CustomStringConvertible {
    case connect = "connect"
    case connectAuthorizer = "connect-authorizer"
    case connectMultiValueHeaders = "connect-multivalue-headers"
    case message = "message"
    case binaryMessage = "message-binary"
    case nonJSONMessage = "message-non-json"
    case largeMessage = "message-128kb"
    case disconnect = "disconnect"

    static let directory: String = {
        let file = #filePath
        return String(file[..<file.lastIndex(of: "/")!]) + "/Fixtures"
    }()

    var path: String { "\(Self.directory)/\(rawValue).json" }

    var description: String { rawValue }
}
