import LocalGateway

/// How the gateway checks `@connections` requests.
enum ManagementAuthorizer {
    /// Requests must carry a SigV4 `Authorization` header made with the local access key; the signature
    /// itself is verified once the signer is available to the gateway.
    static func make(accessKeyID: String, secretAccessKey: String, region: String) -> @Sendable (ManagementRequest) -> ManagementAuthorization {
        { request in
            guard let authorization = request.headers.first(where: { $0.name.lowercased() == "authorization" })?.value else {
                return .denied("Missing Authentication Token")
            }
            return authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=\(accessKeyID)/")
                ? .allowed : .denied("The security token included in the request is invalid.")
        }
    }
}
