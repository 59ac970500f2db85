#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import Runtime

/// Typed handlers (`LambdaRuntime.start { (event: WebSocketEvent, context) in … }`) read events and write
/// responses directly too, as the router does.
extension WebSocketEvent: DirectJSONDecodable {
    public static func decode(directlyFrom data: Data) throws(EventDecodingError) -> WebSocketEvent {
        try decode(from: data)
    }
}

extension WebSocketResponse: DirectJSONEncodable {
    public func encodedDirectly() -> Data {
        encodedJSON()
    }
}
