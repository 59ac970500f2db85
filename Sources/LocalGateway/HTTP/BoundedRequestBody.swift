import Foundation
import NIOCore
import NIOHTTP1

/// A request body collected up to a limit. Past it, the rest is discarded as it arrives and only the fact
/// is kept, so an oversized (or endless) body costs no memory; the server answers 413 once it ends.
struct BoundedRequestBody {
    /// The limit of the request being collected.
    private(set) var limit: Int
    private let defaultLimit: Int
    private var buffer: ByteBuffer?
    /// The body passed ``limit`` (or its `Content-Length` said it would).
    private(set) var isTooLarge = false

    init(limit: Int) {
        self.limit = limit
        self.defaultLimit = limit
    }

    /// Starts the body of a new request, limited to `requestLimit` when given (else the limit the body was
    /// made with): a declared length over the limit marks it too large at once; one within it is reserved.
    mutating func start(declaredLength: Int?, limit requestLimit: Int? = nil, allocator: ByteBufferAllocator) {
        limit = requestLimit ?? defaultLimit
        buffer = nil
        isTooLarge = (declaredLength ?? 0) > limit
        if !isTooLarge, let declaredLength, declaredLength > 0 {
            buffer = allocator.buffer(capacity: declaredLength)
        }
    }

    mutating func append(_ chunk: inout ByteBuffer) {
        guard !isTooLarge else { return }
        if (buffer?.readableBytes ?? 0) + chunk.readableBytes > limit {
            isTooLarge = true
            buffer = nil
        } else if buffer == nil {
            buffer = chunk
        } else {
            buffer!.writeBuffer(&chunk)
        }
    }

    /// The body's bytes (empty when too large) and whether it was too large; ready for the next request.
    mutating func finish() -> (payload: Data, tooLarge: Bool) {
        let result = (buffer.map { Data($0.readableBytesView) } ?? Data(), isTooLarge)
        buffer = nil
        isTooLarge = false
        return result
    }
}

extension HTTPRequestHead {
    /// The `Content-Length` the request declares, if any.
    var declaredContentLength: Int? { headers.first(name: "Content-Length").flatMap { Int($0) } }
}
