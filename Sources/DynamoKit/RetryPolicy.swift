/// How a client retries throttled and failed calls: at most ``maxAttempts`` tries, separated by a random
/// pause of up to `baseDelay × 2^retry`, never more than ``maxDelay`` ("full jitter").
public struct RetryPolicy: Sendable, Equatable {
    /// Tries in all, the first included.
    public var maxAttempts: Int
    /// The cap of the first pause.
    public var baseDelay: Duration
    /// The cap of any pause.
    public var maxDelay: Duration

    public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(25), maxDelay: Duration = .seconds(1)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// No retries.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The pause before retry number `retry` (0 for the first retry): random, up to the exponential cap.
    public func delay(beforeRetry retry: Int) -> Duration {
        let cap = min(baseDelay * (1 << min(retry, 20)), maxDelay)
        let capMicroseconds = max(1, Int(cap / .microseconds(1)))
        return .microseconds(Int.random(in: 0...capMicroseconds))
    }
}
