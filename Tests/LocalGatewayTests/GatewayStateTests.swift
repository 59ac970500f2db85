import NIOEmbedded
import Testing

@testable import LocalGateway

/// The gateway's bookkeeping, transition by transition.
@Suite("Gateway state")
struct GatewayStateTests {
    @Test("a connection the gateway is closing is gone for @connections at once, and a second close finds nothing; its $disconnect reports the first reason")
    func closingConnectionsAreGone() throws {
        var state = GatewayState()
        let channel = EmbeddedChannel()
        state.accept(GatewayConnection(
            id: "A=", channel: channel, connectedAtMilliseconds: 1, lastActiveMilliseconds: 1, sourceIP: "127.0.0.1",
            userAgent: nil))
        let opened = state.open(channel)
        #expect(opened?.id == "A=")
        #expect(state.connection("A=")?.id == "A=")

        let first = state.closing("A=", .deleted)
        #expect(first?.id == "A=")
        #expect(state.connection("A=") == nil)
        let second = state.closing("A=", .goingAway)
        #expect(second == nil)

        let ended = state.closed("A=", client: .abnormal)
        let (closed, closure) = try #require(ended)
        #expect(closed.id == "A=")
        #expect(closure == .deleted)
        let afterwards = state.closing("A=", .deleted)
        #expect(afterwards == nil)
    }
}
