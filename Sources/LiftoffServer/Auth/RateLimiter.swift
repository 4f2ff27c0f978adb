import Foundation
import Synchronization

/// A token bucket per key: `rate` requests per second, with a burst of one second's worth. Uses the
/// monotonic clock: limiting is about real request pressure, not the rollout's (injectable) time.
final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let buckets = Mutex<[String: Bucket]>([:])

    /// nil when the request may go ahead, else the seconds until it would. The bucket holds `burst` tokens
    /// (default: one second's worth).
    func wait(key: String, rate: Double, burst: Double? = nil) -> Double? {
        let now = ContinuousClock.now
        return buckets.withLock { buckets in
            let capacity = burst ?? max(1, rate)
            var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(capacity, bucket.tokens + seconds * rate)
            bucket.updated = now
            defer { buckets[key] = bucket }
            guard bucket.tokens >= 1 else { return (1 - bucket.tokens) / rate }
            bucket.tokens -= 1
            return nil
        }
    }

    /// Forgets the buckets of keys that no longer exist.
    func retain(_ keys: Set<String>) {
        buckets.withLock { $0 = $0.filter { keys.contains($0.key) } }
    }
}
