import HandlerKit
import HandlerKitTesting
import Runtime
import Testing

@Suite("The management client from a request")
struct ManagementFromRequestTests {
    @Test("an event without a domain name cannot reach @connections, and the error names the field")
    func missingDomainName() throws {
        var event = WebSocketEventBuilder.message(#"{"action":"whoAmI"}"#).build()
        event.requestContext.domainName = nil
        let request = WebSocketRequest(event: event, context: .testing(), routeKey: "whoAmI")
        #expect {
            _ = try request.management
        } throws: { error in
            (error as? EventDecodingError)?.fieldPath == "requestContext.domainName"
        }
    }
}
