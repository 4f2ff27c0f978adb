import Foundation
import Hummingbird
import LiftoffCore
import LiftoffStore
import Synchronization

/// The active API keys in memory, by the SHA-256 of their secret, so authenticating a request touches no
/// database. Reloaded from the store whenever keys change.
final class KeyRing: Sendable {
    private let keys = Mutex<[[UInt8]: StoredKey]>([:])
    private let store: any Store
    private let clock: any WallClock
    private let limiter = RateLimiter()

    init(store: any Store, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    func reload() async throws {
        let active = try await store.activeKeys()
        keys.withLock { $0 = Dictionary(active.map { ($0.hash, $0) }, uniquingKeysWith: { first, _ in first }) }
        limiter.retain(Set(active.map(\.id)))
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    /// The key whose secret is `secret`, if it is active.
    func key(forSecret secret: String) -> StoredKey? {
        let digest = APIKeySecret.hash(secret)
        guard let stored = keys.withLock({ $0[digest] }),
              APIKeySecret.constantTimeEquals(stored.hash, digest) else { return nil }
        return stored
    }

    /// The key of a login form's secret, if it is active and not expired.
    func authenticate(secret: String) -> AuthenticatedKey? {
        guard let stored = key(forSecret: secret) else { return nil }
        if let expiresAt = stored.expiresAt, expiresAt <= clock.now() { return nil }
        return AuthenticatedKey(id: stored.id, name: stored.name, scope: stored.scope)
    }

    /// Whether the key `id` is still active (sessions end when their key is revoked).
    func isActive(_ id: String) -> Bool {
        keys.withLock { $0.values.contains { $0.id == id } }
    }

    /// Checks the request's bearer key against `scope`: 401 without a valid key, 403 when its scope is too weak.
    func authenticate(_ request: Request, requiring scope: Scope) throws -> AuthenticatedKey {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("missing API key: send 'Authorization: Bearer <key>'")
        }
        // Parsed by hand: Foundation's trimming was a measurable share of a small ingest request.
        guard header.utf8.count > 7, header.utf8.prefix(7).elementsEqual("bearer ".utf8, by: { Self.lower($0) == $1 }) else {
            throw APIError.unauthorized("the Authorization header must be 'Bearer <key>'")
        }
        let secret = header.utf8.dropFirst(7).drop(while: { $0 == UInt8(ascii: " ") })
        guard let stored = key(forSecret: String(decoding: secret, as: UTF8.self)) else {
            throw APIError.unauthorized("unknown or revoked API key")
        }
        if let expiresAt = stored.expiresAt, expiresAt <= clock.now() {
            throw APIError.unauthorized("this API key expired at \(Timestamp.format(expiresAt))")
        }
        if let rate = stored.rateLimit, let wait = limiter.wait(key: stored.id, rate: rate) {
            var error = APIError(.tooManyRequests, code: "rate_limited",
                                 "key '\(stored.name)' may make \(CriterionResult.format(rate)) requests per second; retry after \(Int(wait.rounded(.up))) s")
            error.headers[.retryAfter] = String(max(1, Int(wait.rounded(.up))))
            throw error
        }
        guard stored.scope.covers(scope) else {
            throw APIError.forbidden("key '\(stored.name)' has scope '\(stored.scope.rawValue)', this route needs '\(scope.rawValue)'")
        }
        return AuthenticatedKey(id: stored.id, name: stored.name, scope: stored.scope)
    }
}
