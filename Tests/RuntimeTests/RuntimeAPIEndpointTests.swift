import Runtime
import Testing

@Suite("AWS_LAMBDA_RUNTIME_API parsing")
struct RuntimeAPIEndpointTests {
    @Test("host:port as Lambda sets it")
    func hostAndPort() throws {
        let endpoint = try #require(RuntimeAPIEndpoint("127.0.0.1:9001"))
        #expect(endpoint.baseURL == "http://127.0.0.1:9001/2018-06-01")
        #expect(endpoint.nextInvocationURL == "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next")
    }

    @Test("a URL with a scheme and a path prefix, as some emulators pass it")
    func urlWithPrefix() throws {
        let endpoint = try #require(RuntimeAPIEndpoint("http://127.0.0.1:9000/.rt/"))
        #expect(endpoint.baseURL == "http://127.0.0.1:9000/.rt/2018-06-01")
        #expect(endpoint.initErrorURL == "http://127.0.0.1:9000/.rt/2018-06-01/runtime/init/error")
    }

    @Test("other accepted forms", arguments: [
        ("  127.0.0.1:9001\n", "http://127.0.0.1:9001/2018-06-01"),
        ("[::1]:9001", "http://[::1]:9001/2018-06-01"),
        ("localhost", "http://localhost/2018-06-01"),
        ("HTTP://127.0.0.1:9000/.rt", "http://127.0.0.1:9000/.rt/2018-06-01"),
        ("https://runtime.example:443/prefix/deeper", "https://runtime.example:443/prefix/deeper/2018-06-01"),
        ("hTtPs://runtime.example//", "https://runtime.example/2018-06-01"),
    ])
    func otherForms(value: String, baseURL: String) throws {
        #expect(try #require(RuntimeAPIEndpoint(value)).baseURL == baseURL)
    }

    @Test("request ids are percent-encoded in paths")
    func requestIDEncoding() throws {
        let endpoint = try #require(RuntimeAPIEndpoint("localhost:9001"))
        #expect(endpoint.responseURL(for: "a b/c") == "http://localhost:9001/2018-06-01/runtime/invocation/a%20b%2Fc/response")
        #expect(endpoint.errorURL(for: "8476a536-e9f4") == "http://localhost:9001/2018-06-01/runtime/invocation/8476a536-e9f4/error")
        #expect(endpoint.responseURL(for: "é~_.-%") == "http://localhost:9001/2018-06-01/runtime/invocation/%C3%A9~_.-%25/response")
        #expect(endpoint.errorURL(for: "") == "http://localhost:9001/2018-06-01/runtime/invocation//error")
        let prefixed = try #require(RuntimeAPIEndpoint("http://127.0.0.1:9000/.rt/"))
        #expect(prefixed.responseURL(for: "id") == "http://127.0.0.1:9000/.rt/2018-06-01/runtime/invocation/id/response")
        #expect(endpoint.responseURL(for: "..") == "http://localhost:9001/2018-06-01/runtime/invocation/%2E%2E/response")
        #expect(endpoint.errorURL(for: ".") == "http://localhost:9001/2018-06-01/runtime/invocation/%2E/error")
        #expect(endpoint.errorURL(for: "...") == "http://localhost:9001/2018-06-01/runtime/invocation/.../error")
    }

    @Test("unusable values are refused", arguments: [
        "", "   ", "ftp://host:1", "host:0", "host:99999", "host:port", "://x", "http://", "host:-1",
        "host name:9001", "host:9001?x=1", "host:9001#frag", "httpx://host:1", "http:/host:1", "\u{E9}://host:1",
    ])
    func refused(value: String) {
        #expect(RuntimeAPIEndpoint(value) == nil)
    }
}
