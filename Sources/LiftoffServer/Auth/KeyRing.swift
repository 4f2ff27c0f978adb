import Foundation
import LiftoffCore
import LiftoffStore
import Synchronization

/// The active API keys in memory, by the SHA-256 of their secret, so authenticating a request touches no
/// database. Reloaded from the store whenever keys change.
final class KeyRing: Sendable {
    /// The keys and how many times they were reloaded: a key remembered by a connection (`RememberedKey`)
    /// holds while the generation it was found in is still the current one.
    private let state = Mutex<(keys: [[UInt8]: StoredKey], generation: Int)>(([:], 0))
    private let store: any Store
    let clock: any WallClock
    let limiter = RateLimiter()

    init(store: any Store, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    func reload() async throws {
        let active = try await store.activeKeys()
        let keys = Dictionary(active.map { ($0.hash, $0) }, uniquingKeysWith: { first, _ in first })
        state.withLock { $0 = (keys, $0.generation &+ 1) }
        limiter.retain(Set(active.map(\.id)))
    }

    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    /// The key whose secret is `secret`, if it is active.
    func key(forSecret secret: String) -> StoredKey? {
        keyAndGeneration(forSecret: secret).key
    }

    /// `key(forSecret:)` with the generation of the keys it was looked up in.
    func keyAndGeneration(forSecret secret: String) -> (key: StoredKey?, generation: Int) {
        let digest = APIKeySecret.hash(secret)
        let (stored, generation) = state.withLock { ($0.keys[digest], $0.generation) }
        guard let stored, APIKeySecret.constantTimeEquals(stored.hash, digest) else { return (nil, generation) }
        return (stored, generation)
    }

    /// How many times the keys were reloaded.
    var generation: Int { state.withLock { $0.generation } }

    /// The key of a login form's secret, if it is active and not expired.
    func authenticate(secret: String) -> AuthenticatedKey? {
        guard let stored = key(forSecret: secret) else { return nil }
        if let expiresAt = stored.expiresAt, expiresAt <= clock.now() { return nil }
        return AuthenticatedKey(id: stored.id, name: stored.name, scope: stored.scope)
    }

    /// Whether the key `id` is still active (sessions end when their key is revoked).
    func isActive(_ id: String) -> Bool {
        state.withLock { $0.keys.values.contains { $0.id == id } }
    }
}
