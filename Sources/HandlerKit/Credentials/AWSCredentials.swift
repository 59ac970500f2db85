/// The access key Lambda gives a function (or any static key pair), with its session token when temporary.
public struct AWSCredentials: Sendable, Equatable {
    /// `AWS_ACCESS_KEY_ID`.
    public var accessKeyID: String
    /// `AWS_SECRET_ACCESS_KEY`.
    public var secretAccessKey: String
    /// `AWS_SESSION_TOKEN`: present for the temporary credentials of a Lambda execution role.
    public var sessionToken: String?

    /// Creates credentials from their parts.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// Reads `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` from `variables`.
    /// - Throws: ``AWSConfigurationError`` naming the variables that are missing or empty.
    public init(environment variables: [String: String]) throws(AWSConfigurationError) {
        let accessKey = variables["AWS_ACCESS_KEY_ID"].flatMap { $0.isEmpty ? nil : $0 }
        let secret = variables["AWS_SECRET_ACCESS_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        guard let accessKey, let secret else {
            var missing: [String] = []
            if accessKey == nil { missing.append("AWS_ACCESS_KEY_ID") }
            if secret == nil { missing.append("AWS_SECRET_ACCESS_KEY") }
            throw AWSConfigurationError(missingVariables: missing)
        }
        self.init(
            accessKeyID: accessKey, secretAccessKey: secret,
            sessionToken: variables["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
    }
}

extension AWSCredentials: CustomStringConvertible {
    /// Names the key without revealing the secret or the token.
    public var description: String {
        "AWSCredentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>, sessionToken: \(sessionToken == nil ? "none" : "<redacted>"))"
    }
}

/// The AWS region a function runs in.
public enum AWSRegion {
    /// `AWS_REGION`, else `AWS_DEFAULT_REGION`.
    /// - Throws: ``AWSConfigurationError`` when neither is set.
    public static func from(environment variables: [String: String]) throws(AWSConfigurationError) -> String {
        for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let value = variables[name], !value.isEmpty { return value }
        }
        throw AWSConfigurationError(missingVariables: ["AWS_REGION"])
    }
}

/// Configuration the environment should provide but does not.
public struct AWSConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The environment variables that are missing or empty.
    public let missingVariables: [String]

    public init(missingVariables: [String]) { self.missingVariables = missingVariables }

    public var description: String {
        "missing AWS configuration: set \(missingVariables.joined(separator: " and ")) (Lambda sets them for every function; set them yourself when running elsewhere)"
    }
}
