#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import Logging
public import Runtime

extension LambdaContext {
    /// A context for running handlers in tests: fixed ids, a deadline `timeout` from now, and a logger that
    /// discards its lines unless one is given.
    public static func testing(
        requestID: String = "00000000-0000-4000-8000-000000000000",
        timeout: Duration = .seconds(30),
        functionName: String = "test-function",
        logger: Logger? = nil
    ) -> LambdaContext {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        return LambdaContext(
            requestID: requestID,
            deadlineMilliseconds: now + timeout.components.seconds * 1000
                + timeout.components.attoseconds / 1_000_000_000_000_000,
            invokedFunctionARN: "arn:aws:lambda:us-east-1:000000000000:function:\(functionName)",
            functionName: functionName,
            logger: logger ?? Logger(label: "HandlerKitTesting", factory: { _ in SwiftLogNoOpLogHandler() })
        )
    }
}
