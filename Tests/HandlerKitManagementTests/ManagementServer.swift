import Foundation
import HandlerKit

/// `Support/management_server.py`, started once per test process on an ephemeral port.
final class ManagementServer: Sendable {
    static let accessKey = "AKIDTEST"
    static let secretKey = "test-secret"
    static let sessionToken = "session-token+/="

    /// Started on first use; it exits by itself when this process ends (its stdin closes).
    static let shared: ManagementServer = {
        do {
            return try ManagementServer()
        } catch {
            fatalError("cannot start management_server.py: \(error)")
        }
    }()

    let port: Int
    private let process: Process
    private let stdin: Pipe

    init() throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", PythonScript.path("management_server.py"), "--access-key", Self.accessKey,
            "--secret-key", Self.secretKey, "--session-token", Self.sessionToken,
        ]
        stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        // The first line is the port.
        var line = Data()
        while true {
            let byte = stdout.fileHandleForReading.readData(ofLength: 1)
            guard let first = byte.first else { throw ServerFailure(message: "exited before printing its port") }
            if first == UInt8(ascii: "\n") { break }
            line.append(first)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            throw ServerFailure(message: "printed \(String(decoding: line, as: UTF8.self)) instead of a port")
        }
        self.port = port
    }

    struct ServerFailure: Error { var message: String }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    static let signer = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: accessKey, secretAccessKey: secretKey, sessionToken: sessionToken),
        region: "eu-west-1", service: "execute-api")

    /// One request as the server saw it.
    struct Record: Decodable {
        var method: String
        var stagePath: String
        var encodedId: String
        var connectionId: String
        var body: String
        var signatureProblem: String?
        var pathCanonical: Bool
    }

    /// Every request received so far.
    func records(transport: any HTTPTransport) async throws -> [Record] {
        let response = try await transport.send(HTTPRequest(method: "GET", url: baseURL + "/_requests"))
        return try JSONDecoder().decode([Record].self, from: response.body)
    }
}
