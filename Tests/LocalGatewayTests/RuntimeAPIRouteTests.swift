import NIOHTTP1
import Testing

@testable import LocalGateway

/// Paths of the Runtime API as the mock reads them: split as bytes, with queries, fragments, doubled slashes
/// and percent-encoded ids, and the trace id made from a request id.
@Suite struct RuntimeAPIRouteTests {
    @Test(arguments: [
        (HTTPMethod.GET, "/2018-06-01/runtime/invocation/next", RuntimeAPIRoute.next),
        (.GET, "/2018-06-01/runtime/invocation/next?wait=1#x", .next),
        (.GET, "//2018-06-01//runtime/invocation/next/", .next),
        (.POST, "/2018-06-01/runtime/invocation/8476a536-e9f4/response", .response(requestID: "8476a536-e9f4")),
        (.POST, "/2018-06-01/runtime/invocation/a%20b%2Fc%zz/error", .error(requestID: "a b/c%zz")),
        (.POST, "/2018-06-01/runtime/invocation/caf%C3%A9/response", .response(requestID: "café")),
        (.POST, "/2018-06-01/runtime/init/error", .initError),
        (.POST, "/2015-03-31/functions/chat/invocations", .invoke),
        (.POST, "/2018-06-01/runtime/invocation/next", .methodNotAllowed(allow: .GET)),
        (.GET, "/2018-06-01/runtime/invocation/id/response", .methodNotAllowed(allow: .POST)),
        (.GET, "/2018-06-01/runtime/invocation/é/next?q", .notFound(path: "/2018-06-01/runtime/invocation/é/next")),
        (.GET, "/", .notFound(path: "/")),
        (.GET, "", .notFound(path: "")),
    ])
    func routes(method: HTTPMethod, uri: String, route: RuntimeAPIRoute) {
        #expect(RuntimeAPIRoute(method: method, uri: uri) == route)
    }

    @Test func traceIDsTakeTheRequestIDsHexDigits() {
        let trace = RuntimeAPIHTTPHandler.traceID(for: "8476a536-e9f4-11e8-9739-2dfe598c3fcd")
        #expect(trace.wholeMatch(of: /Root=1-[0-9a-f]+-8476a536e9f411e897392dfe;Sampled=0/) != nil, "\(trace)")
        let padded = RuntimeAPIHTTPHandler.traceID(for: "xyz-AB-é-9")
        #expect(padded.hasSuffix("-AB9000000000000000000000;Sampled=0"), "\(padded)")
    }
}
