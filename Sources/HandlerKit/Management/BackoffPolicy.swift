/// How failed calls are retried: full-jitter exponential backoff, bounded in attempts and in total time.
public struct BackoffPolicy: Sendable {
    /// The most attempts per call, the first included (1 disables retries).
    public var maxAttempts: Int
    /// The ceiling of the first delay; each retry doubles it.
    public var baseDelay: Duration
    /// The largest ceiling any delay may have.
    public var maxDelay: Duration
    /// No retry starts later than this after the first attempt began.
    public var maxElapsed: Duration

    /// Creates a policy.
    public init(
        maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(25), maxDelay: Duration = .seconds(1),
        maxElapsed: Duration = .seconds(5)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxElapsed = maxElapsed
    }

    /// No retries.
    public static let none = BackoffPolicy(maxAttempts: 1)

    /// A random delay in `0...min(maxDelay, baseDelay × 2^retry)` before retry number `retry` (from 0).
    public func delay(beforeRetry retry: Int) -> Duration {
        let ceiling = min(maxDelay, baseDelay * (1 << min(retry, 20)))
        let nanoseconds = ceiling.components.seconds * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanoseconds))
    }
}
