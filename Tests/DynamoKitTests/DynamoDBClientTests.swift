import DynamoKit
import Foundation
import HandlerKit
import Testing
import TestServices

/// The client's requests, retries and error mapping, with a recording transport (no network).
@Suite struct DynamoDBClientRequestTests {
    private func client(_ transport: RecordingTransport, retries: Int = 4) -> DynamoDBClient {
        DynamoDBClient(
            endpoint: "https://dynamodb.eu-west-1.amazonaws.com/",
            signer: SigV4Signer(
                credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret", sessionToken: "tok"),
                region: "eu-west-1", service: "dynamodb"),
            transport: transport,
            retryPolicy: BackoffPolicy(maxAttempts: retries, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5), maxElapsed: .seconds(120)))
    }

    @Test func speaksTheJSONProtocolSigned() async throws {
        let transport = RecordingTransport(responses: [HTTPResponse(status: 200, body: Data(#"{"Attributes":{"pk":{"S":"a"}}}"#.utf8))])
        let output = try await client(transport).putItem(
            PutItemInput(tableName: "chat", item: ["pk": "a", "sk": "b", "n": 5], returnValues: "ALL_OLD"))
        #expect(output.attributes == ["pk": "a"])

        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url == "https://dynamodb.eu-west-1.amazonaws.com/")
        #expect(request.header("X-Amz-Target") == "DynamoDB_20120810.PutItem")
        #expect(request.header("Content-Type") == "application/x-amz-json-1.0")
        #expect(request.header("x-amz-security-token") == "tok")
        let authorization = try #require(request.header("Authorization"))
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))
        #expect(authorization.contains("/eu-west-1/dynamodb/aws4_request"))
        #expect(authorization.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target"))

        let body = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
        #expect(body["TableName"] as? String == "chat")
        #expect(body["ReturnValues"] as? String == "ALL_OLD")
        #expect((body["Item"] as? [String: [String: String]])?["n"] == ["N": "5"])
        #expect(body["ConditionExpression"] == nil, "absent options are not sent")
    }

    @Test func throttlingAndServerErrorsAreRetried() async throws {
        let throttled = HTTPResponse(
            status: 400,
            body: Data(#"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}"#.utf8))
        let transport = RecordingTransport(responses: [throttled])
        transport.enqueueFailure(HTTPTransportError(message: "connection reset", isConnectionFailure: true))
        transport.enqueue(HTTPResponse(status: 500, body: Data(#"{"__type":"InternalServerError"}"#.utf8)))
        transport.enqueue(HTTPResponse(status: 200, body: Data("{}".utf8)))
        let output = try await client(transport).getItem(GetItemInput(tableName: "chat", key: ["pk": "a", "sk": "b"]))
        #expect(output.item == nil)
        #expect(transport.requests.count == 4)
        // Each attempt is signed afresh: exactly one Authorization header.
        #expect(transport.requests.allSatisfy { $0.headers.filter { $0.name.lowercased() == "authorization" }.count == 1 })
    }

    @Test func retriesStopAtTheLimitWithATypedError() async throws {
        let transport = RecordingTransport(fallback: { _ in
            HTTPResponse(status: 400, body: Data(#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"}"#.utf8))
        })
        await #expect {
            _ = try await client(transport, retries: 3).query(
                QueryInput(tableName: "chat", keyConditionExpression: "pk = :pk", expressionAttributeValues: [":pk": "a"]))
        } throws: { error in
            let error = try #require(error as? DynamoDBError)
            return error.kind == .throttled && error.type == "ThrottlingException" && error.message == "Rate exceeded"
                && error.operation == "Query" && error.status == 400
        }
        #expect(transport.requests.count == 3)
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let transport = RecordingTransport(responses: [
            HTTPResponse(
                status: 400,
                headers: [("x-amzn-ErrorType", "ConditionalCheckFailedException:http://internal.amazon.com/coral/")],
                body: Data(#"{"Message":"The conditional request failed"}"#.utf8))
        ])
        await #expect {
            _ = try await client(transport).putItem(
                PutItemInput(tableName: "chat", item: ["pk": "a"], conditionExpression: "attribute_not_exists(pk)"))
        } throws: { error in
            let error = try #require(error as? DynamoDBError)
            return error.kind == .conditionalCheckFailed && error.message == "The conditional request failed"
        }
        #expect(transport.requests.count == 1)
    }

    @Test func anUnreadableAnswerIsAnInvalidResponse() async throws {
        let transport = RecordingTransport(responses: [HTTPResponse(status: 200, body: Data(#"{"Items": 5}"#.utf8))])
        await #expect {
            _ = try await client(transport).query(QueryInput(tableName: "t", keyConditionExpression: "pk = :pk"))
        } throws: { error in
            (error as? DynamoDBError)?.kind == .invalidResponse
        }
    }

    @Test func batchWritesAreChunkedAndUnprocessedItemsResent() async throws {
        let unprocessed = #"{"UnprocessedItems":{"chat":[{"DeleteRequest":{"Key":{"pk":{"S":"k7"},"sk":{"S":"s"}}}}]}}"#
        let transport = RecordingTransport(responses: [HTTPResponse(status: 200, body: Data(unprocessed.utf8))])
        let deletes = (0..<60).map { WriteRequest.delete(key: ["pk": .string("k\($0)"), "sk": "s"]) }
        try await client(transport).batchWriteAll(deletes, tableName: "chat")

        let sizes = try transport.requests.map { request in
            let body = try JSONDecoder().decode([String: [String: [WriteRequest]]].self, from: request.body)
            return body["RequestItems"]?["chat"]?.count ?? 0
        }
        // 25 (one left unprocessed), that one again, then 25 and 10.
        #expect(sizes == [25, 1, 25, 10])
        #expect(transport.requests.allSatisfy { $0.header("X-Amz-Target") == "DynamoDB_20120810.BatchWriteItem" })
    }

    @Test func endpointFollowsTheSDKOverrides() {
        #expect(DynamoDBClient.endpoint(region: "ap-south-1", environment: [:]) == "https://dynamodb.ap-south-1.amazonaws.com")
        #expect(
            DynamoDBClient.endpoint(region: "x", environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:1"])
                == "http://127.0.0.1:1")
        #expect(
            DynamoDBClient.endpoint(
                region: "x", environment: ["AWS_ENDPOINT_URL": "http://a", "AWS_ENDPOINT_URL_DYNAMODB": "http://b"])
                == "http://b")
    }

    @Test func missingCredentialsAreNamed() {
        #expect(throws: AWSConfigurationError.self) {
            _ = try DynamoDBClient(environment: ["AWS_REGION": "us-east-1"])
        }
    }
}

/// The client against a real DynamoDB-compatible server (moto).
@Suite(.enabled(if: MotoServer.isAvailable, "\(MotoServer.unavailableReason ?? "")"))
struct DynamoDBClientMotoTests {
    private func withTable(_ body: (DynamoDBClient, String) async throws -> Void) async throws {
        let dynamo = try await LocalDynamoDB.shared.value
        let name = LocalDynamoDB.uniqueTableName("client")
        _ = try await dynamo.client.createTable(
            CreateTableInput(
                tableName: name,
                keySchema: [KeySchemaElement(name: "pk", keyType: "HASH"), KeySchemaElement(name: "sk", keyType: "RANGE")],
                attributeDefinitions: [AttributeDefinition(name: "pk", type: "S"), AttributeDefinition(name: "sk", type: "S")]))
        try await dynamo.client.waitUntilActive(tableName: name)
        do {
            try await body(dynamo.client, name)
        } catch {
            _ = try? await dynamo.client.deleteTable(tableName: name)
            throw error
        }
        _ = try await dynamo.client.deleteTable(tableName: name)
    }

    @Test func itemsRoundTripWithEveryAttributeType() async throws {
        try await withTable { client, table in
            let item: Item = [
                "pk": "p", "sk": "s", "text": "ünïcødé ⚡ \"quoted\"", "number": .number("-12.5"),
                "binary": .binary(Data([0, 1, 255])), "flag": true, "nothing": .null,
                "strings": .stringSet(["a", "b"]), "numbers": .numberSet(["1", "2"]),
                "list": .list(["x", 1, .map(["deep": false])]), "map": .map(["k": "v"]),
            ]
            _ = try await client.putItem(PutItemInput(tableName: table, item: item))
            let read = try await client.getItem(GetItemInput(tableName: table, key: ["pk": "p", "sk": "s"], consistentRead: true))
            #expect(read.item?["text"] == item["text"])
            #expect(read.item?["binary"] == item["binary"])
            #expect(read.item?["list"] == item["list"])
            #expect(read.item?["map"] == item["map"])
            #expect(read.item?["flag"] == true)
            #expect(read.item?["nothing"] == .null)
            #expect(Set(read.item?["strings"].flatMap { if case .stringSet(let s) = $0 { s } else { nil } } ?? []) == ["a", "b"])

            let deleted = try await client.deleteItem(
                DeleteItemInput(tableName: table, key: ["pk": "p", "sk": "s"], returnValues: "ALL_OLD"))
            #expect(deleted.attributes?["text"] == item["text"])
            let gone = try await client.getItem(GetItemInput(tableName: table, key: ["pk": "p", "sk": "s"], consistentRead: true))
            #expect(gone.item == nil)
        }
    }

    @Test func queryAllFollowsPages() async throws {
        try await withTable { client, table in
            let writes = (0..<57).map { WriteRequest.put(["pk": "many", "sk": .string(String(format: "%03d", $0))]) }
            try await client.batchWriteAll(writes, tableName: table)
            let firstPage = try await client.query(
                QueryInput(
                    tableName: table, keyConditionExpression: "pk = :pk", expressionAttributeValues: [":pk": "many"],
                    limit: 10))
            #expect(firstPage.items?.count == 10)
            #expect(firstPage.lastEvaluatedKey != nil)

            let all = try await client.queryAll(
                QueryInput(
                    tableName: table, keyConditionExpression: "pk = :pk", expressionAttributeValues: [":pk": "many"],
                    consistentRead: true, limit: 10))
            #expect(all.compactMap { $0["sk"]?.stringValue } == (0..<57).map { String(format: "%03d", $0) })
        }
    }

    @Test func serviceErrorsAreTyped() async throws {
        try await withTable { client, table in
            _ = try await client.putItem(PutItemInput(tableName: table, item: ["pk": "a", "sk": "b"]))
            await #expect {
                _ = try await client.putItem(
                    PutItemInput(tableName: table, item: ["pk": "a", "sk": "b"], conditionExpression: "attribute_not_exists(pk)"))
            } throws: { ($0 as? DynamoDBError)?.kind == .conditionalCheckFailed }

            await #expect {
                _ = try await client.putItem(PutItemInput(tableName: table, item: ["pk": "no sort key"]))
            } throws: { ($0 as? DynamoDBError)?.kind == .validation }

            await #expect {
                _ = try await client.getItem(GetItemInput(tableName: "missing-\(table)", key: ["pk": "a", "sk": "b"]))
            } throws: { error in
                let error = error as? DynamoDBError
                return error?.kind == .resourceNotFound && error?.type == "ResourceNotFoundException"
            }
        }
    }

    @Test func anUnreachableEndpointIsATransportError() async throws {
        let client = DynamoDBClient(
            endpoint: "http://127.0.0.1:1",
            signer: SigV4Signer(credentials: AWSCredentials(accessKeyID: "a", secretAccessKey: "b"), region: "us-east-1", service: "dynamodb"),
            retryPolicy: BackoffPolicy(maxAttempts: 2, baseDelay: .milliseconds(1), maxElapsed: .seconds(120)))
        await #expect {
            _ = try await client.describeTable(tableName: "t")
        } throws: { ($0 as? DynamoDBError)?.kind == .transport }
    }
}
