import ArgumentParser

/// The range the commands accept for their timeouts, in seconds: at least one, at most a day (room to sit at
/// a breakpoint, far from the durations that overflow when turned into deadlines).
enum TimeoutLimits {
    static let seconds = 1...86_400

    /// Fails validation unless `value` is in ``seconds``.
    static func check(_ value: Int, option: String) throws {
        guard seconds.contains(value) else {
            throw ValidationError("\(option) must be between \(seconds.lowerBound) and \(seconds.upperBound) seconds")
        }
    }
}
