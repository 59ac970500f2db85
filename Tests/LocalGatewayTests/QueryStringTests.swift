import Testing

@testable import LocalGateway

@Suite("Handshake query strings")
struct QueryStringTests {
    @Test("pairs in order, repeated names kept, escapes decoded")
    func pairs() {
        let pairs = QueryString.parameters(in: "/dev?name=J%C3%B6rg&room=a&room=b&flag&empty=&eq=a%3Db")
        #expect(pairs.map(\.0) == ["name", "room", "room", "flag", "empty", "eq"])
        #expect(pairs.map(\.1) == ["Jörg", "a", "b", "", "", "a=b"])
    }

    @Test("no query, an empty query, a fragment")
    func edges() {
        #expect(QueryString.parameters(in: "/dev").isEmpty)
        #expect(QueryString.parameters(in: "/dev?").isEmpty)
        #expect(QueryString.parameters(in: "/dev?a=1#frag").map(\.1) == ["1"])
    }

    @Test("malformed escapes and invalid UTF-8 are kept as written; + stays +")
    func malformed() {
        #expect(QueryString.parameters(in: "/dev?a=100%&b=%zz&c=%FF&d=a+b").map(\.1) == ["100%", "%zz", "%FF", "a+b"])
    }
}
