/// The mobile client context sent with `Lambda-Runtime-Client-Context` (AWS Mobile SDK invocations).
public struct ClientContext: Codable, Sendable, Equatable {
    /// The calling application.
    public struct Client: Codable, Sendable, Equatable {
        public var installationId: String?
        public var appTitle: String?
        public var appVersionName: String?
        public var appVersionCode: String?
        public var appPackageName: String?

        enum CodingKeys: String, CodingKey {
            case installationId = "installation_id"
            case appTitle = "app_title"
            case appVersionName = "app_version_name"
            case appVersionCode = "app_version_code"
            case appPackageName = "app_package_name"
        }
    }

    public var client: Client?
    public var custom: [String: String]?
    public var env: [String: String]?
}

/// The Amazon Cognito identity sent with `Lambda-Runtime-Cognito-Identity`.
public struct CognitoIdentity: Codable, Sendable, Equatable {
    public var cognitoIdentityId: String?
    public var cognitoIdentityPoolId: String?
}
