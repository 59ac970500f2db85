import ChatApp
import Testing

@Suite struct ChatConfigurationTests {
    @Test func defaultsWithAnEmptyEnvironment() throws {
        let configuration = try ChatConfiguration(environment: [:])
        #expect(configuration == ChatConfiguration(tableName: nil, connectToken: nil, maxMessageBytes: 32768, defaultChannel: "General"))
    }

    @Test func readsEveryVariable() throws {
        let configuration = try ChatConfiguration(environment: [
            "CHAT_TABLE_NAME": "chat-prod", "CHAT_CONNECT_TOKEN": " s3cret ", "CHAT_MAX_MESSAGE_BYTES": "1024",
            "CHAT_DEFAULT_CHANNEL": "Lobby",
        ])
        #expect(configuration.tableName == "chat-prod")
        #expect(configuration.connectToken == "s3cret")
        #expect(configuration.maxMessageBytes == 1024)
        #expect(configuration.defaultChannel == "Lobby")
    }

    @Test func emptyValuesCountAsUnset() throws {
        let configuration = try ChatConfiguration(environment: ["CHAT_TABLE_NAME": "", "CHAT_CONNECT_TOKEN": "  "])
        #expect(configuration.tableName == nil)
        #expect(configuration.connectToken == nil)
    }

    @Test(arguments: [
        ("CHAT_MAX_MESSAGE_BYTES", "lots"), ("CHAT_MAX_MESSAGE_BYTES", "0"), ("CHAT_MAX_MESSAGE_BYTES", "200000"),
        ("CHAT_DEFAULT_CHANNEL", String(repeating: "x", count: 200)),
    ])
    func nonsenseIsAnErrorNamingTheVariable(_ variable: String, _ value: String) {
        #expect {
            _ = try ChatConfiguration(environment: [variable: value])
        } throws: { error in
            (error as? ChatConfigurationError)?.variable == variable && "\(error)".hasPrefix(variable)
        }
    }
}
