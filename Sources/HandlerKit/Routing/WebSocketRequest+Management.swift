import Runtime

extension WebSocketRequest {
    /// The management client for the API and stage this event came from (`requestContext.domainName` and
    /// `stage`), shared by every invocation of the process. Throws when credentials or region are missing
    /// from the environment, or when the event carries no domain name or stage.
    public var management: ManagementClient {
        get throws {
            let context = event.requestContext
            guard let domainName = context.domainName else {
                throw EventDecodingError(fieldPath: "requestContext.domainName", reason: "needed to reach the @connections API")
            }
            guard let stage = context.stage else {
                throw EventDecodingError(fieldPath: "requestContext.stage", reason: "needed to reach the @connections API")
            }
            return try ManagementClient.shared(domainName: domainName, stage: stage)
        }
    }
}
