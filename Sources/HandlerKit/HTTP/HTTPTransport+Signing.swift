extension HTTPTransport {
    /// Signs `request` with `signer` at the current time, then sends it.
    ///
    /// ```swift
    /// let dynamo = SigV4Signer(credentials: credentials, region: region, service: "dynamodb")
    /// let response = try await CurlHTTPTransport.shared.send(request, signedBy: dynamo)
    /// ```
    /// - Throws: ``SigningError`` for an unusable URL, ``HTTPTransportError`` when no response arrived.
    public func send(_ request: HTTPRequest, signedBy signer: SigV4Signer) async throws -> HTTPResponse {
        var request = request
        try signer.sign(&request)
        return try await send(request)
    }
}
