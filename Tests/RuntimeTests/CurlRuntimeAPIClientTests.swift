import Foundation
import LocalGateway
import Runtime
import Testing

/// ``CurlRuntimeAPIClient`` against the Runtime API mock: the response size limit, exactly at Lambda's figure.
@Suite("Runtime API client")
struct CurlRuntimeAPIClientTests {
    @Test("a response of exactly 6,291,556 bytes is sent; one byte more is refused before anything is sent")
    func responseLimit() async throws {
        let mock = RuntimeAPIMock(configuration: .init(port: 0, timeout: .seconds(30)))
        try await mock.start()
        let endpoint = try #require(RuntimeAPIEndpoint(mock.runtimeAPIAddress))
        #expect(CurlRuntimeAPIClient.maxResponseBytes == 6_291_556)

        // The client blocks on each call: it runs on a thread of its own, as the runtime's loop does.
        let runtime = Task.detached { () throws -> Bool in
            let client = try CurlRuntimeAPIClient(endpoint: endpoint)
            let first = try client.nextInvocation()
            try client.sendResponse(Data(repeating: UInt8(ascii: "x"), count: 6_291_556), for: first.requestID)
            let second = try client.nextInvocation()
            var refused = false
            do {
                try client.sendResponse(Data(repeating: UInt8(ascii: "x"), count: 6_291_557), for: second.requestID)
            } catch let error as RuntimeAPIError {
                refused = error.isPayloadTooLarge
            }
            // Nothing was sent for it: the invocation still takes an answer.
            try client.sendResponse(Data("\"small\"".utf8), for: second.requestID)
            return refused
        }
        #expect(await mock.invoke(Data("{}".utf8)).payload.count == 6_291_556)
        #expect(await mock.invoke(Data("{}".utf8)) == .response(Data("\"small\"".utf8)))
        #expect(try await runtime.value)
        try await mock.shutdown()
    }
}
