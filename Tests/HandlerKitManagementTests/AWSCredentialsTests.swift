import HandlerKit
import Testing

@Suite struct AWSCredentialsTests {
    @Test func readsLambdaVariables() throws {
        let credentials = try AWSCredentials(environment: [
            "AWS_ACCESS_KEY_ID": "ASIAXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtn", "AWS_SESSION_TOKEN": "FQoGZXIv",
        ])
        #expect(credentials == AWSCredentials(accessKeyID: "ASIAXAMPLE", secretAccessKey: "wJalrXUtn", sessionToken: "FQoGZXIv"))
        #expect(!credentials.description.contains("wJalrXUtn"))
        #expect(!credentials.description.contains("FQoGZXIv"))
    }

    @Test func sessionTokenIsOptional() throws {
        let credentials = try AWSCredentials(environment: ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": ""])
        #expect(credentials.sessionToken == nil)
    }

    @Test func missingVariablesAreNamed() {
        #expect(throws: AWSConfigurationError(missingVariables: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])) {
            try AWSCredentials(environment: [:])
        }
        #expect(throws: AWSConfigurationError(missingVariables: ["AWS_SECRET_ACCESS_KEY"])) {
            try AWSCredentials(environment: ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": ""])
        }
    }

    @Test func regionPrefersAWSRegion() throws {
        #expect(try AWSRegion.from(environment: ["AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-1"]) == "eu-west-1")
        #expect(try AWSRegion.from(environment: ["AWS_DEFAULT_REGION": "us-east-1"]) == "us-east-1")
        #expect(throws: AWSConfigurationError.self) { try AWSRegion.from(environment: [:]) }
    }
}
