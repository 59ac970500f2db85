import HandlerKit
import Testing

@Suite struct RouteSelectionTests {
    @Test func defaultExpressionReadsAction() {
        #expect(RouteSelectionExpression.default.path == ["action"])
        #expect(RouteSelectionExpression.default.description == "$request.body.action")
    }

    @Test(arguments: ["$request.body.action", "$request.body.meta.route", "$request.body.a.b.c"])
    func parsesBodyPaths(_ text: String) throws {
        let expression = try RouteSelectionExpression(text)
        #expect(expression.description == text)
    }

    @Test(arguments: ["action", "$request.body.", "$request.body.a..b", "$request.header.action", "", "$request.body"])
    func rejectsMalformedExpressions(_ text: String) {
        let error = #expect(throws: RouteSelectionExpressionError.self) { try RouteSelectionExpression(text) }
        #expect(error?.description.contains("'\(text)'") == true)
    }

    @Test(arguments: [
        (#"{"action": "sendMessage"}"#, "sendMessage"),
        (#"  {"x": [1, {"action": "no"}], "action" : "join" , "y": null}  "#, "join"),
        (#"{"act\u0069on": "esc\"aped\n"}"#, "esc\"aped\n"),
        (#"{"action": "caf\u00e9 \ud83d\ude00"}"#, "café 😀"),
        (#"{"action": "first", "action": "last"}"#, "last"),
    ])
    func selectsTheStringAtThePath(body: String, expected: String) {
        #expect(RouteSelectionExpression.default.selectedValue(inBody: body) == expected)
    }

    @Test(arguments: [
        #"{"action": 42}"#,  // not a string
        #"{"action": true}"#,
        #"{"action": null}"#,
        #"{"action": {"name": "x"}}"#,
        #"{"action": ["x"]}"#,
        #"{"action": ""}"#,  // empty
        #"{"other": "x"}"#,  // missing
        #"["action", "x"]"#,  // not an object
        #""sendMessage""#,
        "sendMessage",  // not JSON
        #"{"action": "sendMessage""#,  // truncated
        #"{"action": "sendMessage"} trailing"#,
        #"{"action": "sendMessage",}"#,
        #"{"action": "a", "n": 01}"#,
        #"{"action": "a", "n": 1.}"#,
        #"{"action": "bad \x escape"}"#,
        "{\"action\": \"raw\ttab\"}",
        "",
        "   ",
    ])
    func fallsBackOnAnythingElse(body: String) {
        #expect(RouteSelectionExpression.default.selectedValue(inBody: body) == nil)
        #expect(RouteSelectionExpression.default.routeKey(forBody: body, routes: ["sendMessage", "x"]) == "$default")
    }

    @Test func nestedPaths() throws {
        let expression = try RouteSelectionExpression("$request.body.meta.route")
        #expect(expression.selectedValue(inBody: #"{"meta": {"route": "join", "n": -1.5e3}, "route": "no"}"#) == "join")
        #expect(expression.selectedValue(inBody: #"{"route": "join"}"#) == nil)
        #expect(expression.selectedValue(inBody: #"{"meta": "route"}"#) == nil)
        #expect(expression.selectedValue(inBody: #"{"meta": {"route": "join"}, "bad": tru}"#) == nil)
    }

    @Test func routeKeyNeedsAKnownRouteAndText() {
        let body = #"{"action": "sendMessage"}"#
        #expect(RouteSelectionExpression.default.routeKey(forBody: body, routes: ["sendMessage"]) == "sendMessage")
        #expect(RouteSelectionExpression.default.routeKey(forBody: body, routes: ["other"]) == "$default")
        #expect(RouteSelectionExpression.default.routeKey(forBody: body, isBase64Encoded: true, routes: ["sendMessage"]) == "$default")
        #expect(RouteSelectionExpression.default.routeKey(forBody: nil, routes: ["sendMessage"]) == "$default")
    }

    @Test func deepNestingIsInvalidNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(RouteSelectionExpression.default.selectedValue(inBody: deep) == nil)
        let deepObject = String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        #expect(RouteSelectionExpression.default.selectedValue(inBody: deepObject) == nil)
    }

    @Test func bodiesNestedUpTo512LevelsStillRoute() {
        func body(depth: Int) -> String {
            #"{"action": "join", "x": "# + String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1) + "}"
        }
        #expect(RouteSelectionExpression.default.selectedValue(inBody: body(depth: 512)) == "join")
        #expect(RouteSelectionExpression.default.selectedValue(inBody: body(depth: 513)) == nil)
    }

    @Test(arguments: [
        (#"{"action": "a\ud800"}"#, "a\u{FFFD}"), (#"{"action": "join", "x": "\udc00"}"#, "join"),
        (#"{"action": "\ud800\u0041\udc00\ud83d\ude00"}"#, "\u{FFFD}A\u{FFFD}😀"),
    ])
    func unpairedSurrogateEscapesReadAsReplacementCharacters(_ body: String, _ expected: String) {
        #expect(RouteSelectionExpression.default.selectedValue(inBody: body) == expected)
    }
}
