import HandlerKit
import LocalGateway

/// How the gateway checks `@connections` requests: a SigV4 signature made with the credentials the function
/// was given, verified by signing the request again.
enum ManagementAuthorizer {
    static func make(accessKeyID: String, secretAccessKey: String, region: String)
        -> @Sendable (ManagementRequest) -> ManagementAuthorization
    {
        let verifier = SigV4Verifier(
            credentials: AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secretAccessKey), region: region)
        return { verifier.verify($0) }
    }
}
