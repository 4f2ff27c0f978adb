import Foundation
import LiftoffCore
import LiftoffStore
import Synchronization

/// The active API keys in memory, by the SHA-256 of their secret, so authenticating a request touches no
/// database. Reloaded from the store whenever keys change.
final class KeyRing: Sendable {
    private let keys = Mutex<[[UInt8]: StoredKey]>([:])
    private let store: any Store
    let clock: any WallClock
    let limiter = RateLimiter()

    init(store: any Store, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    func reload() async throws {
        let active = try await store.activeKeys()
        keys.withLock { $0 = Dictionary(active.map { ($0.hash, $0) }, uniquingKeysWith: { first, _ in first }) }
        limiter.retain(Set(active.map(\.id)))
    }

    static func lower(_ byte: UInt8) -> UInt8 {
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
}
