internal import Synchronization

extension ManagementClient {
    private static let sharedClients = Mutex<[String: ManagementClient]>([:])

    /// The process-wide client for one API and stage: the environment (credentials, region, endpoint
    /// overrides) is read on first use and the client, its signing key and its connections are reused by
    /// every later invocation.
    /// - Throws: ``AWSConfigurationError`` when credentials or region are missing.
    public static func shared(domainName: String, stage: String) throws(AWSConfigurationError) -> ManagementClient {
        let key = domainName + "/" + stage
        if let client = sharedClients.withLock({ $0[key] }) { return client }
        let client = try ManagementClient(domainName: domainName, stage: stage)
        return sharedClients.withLock { clients in
            if let existing = clients[key] { return existing }
            clients[key] = client
            return client
        }
    }
}
