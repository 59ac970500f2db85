#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The four calls of the Lambda Runtime API, as the invocation loop uses them.
///
/// ``CurlRuntimeAPIClient`` speaks HTTP; tests can drive the loop with any other conformance.
/// Every method throws ``RuntimeAPIError``.
public protocol RuntimeAPIClient: AnyObject {
    /// `GET /runtime/invocation/next`: blocks until an event arrives.
    func nextInvocation() throws -> Invocation
    /// `POST /runtime/invocation/{id}/response`.
    func sendResponse(_ body: Data, for requestID: String) throws
    /// `POST /runtime/invocation/{id}/error`.
    func sendError(_ report: ErrorReport, for requestID: String) throws
    /// `POST /runtime/init/error`.
    func sendInitError(_ report: ErrorReport) throws
}
