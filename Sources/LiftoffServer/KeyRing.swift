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

    init(store: any Store) {
        self.store = store
    }

    func reload() async throws {
        let active = try await store.activeKeys()
        keys.withLock { $0 = Dictionary(active.map { ($0.hash, $0) }, uniquingKeysWith: { first, _ in first }) }
    }

    /// The key whose secret is `secret`, if it is active.
    func key(forSecret secret: String) -> StoredKey? {
        let digest = APIKeySecret.hash(secret)
        guard let stored = keys.withLock({ $0[digest] }),
              APIKeySecret.constantTimeEquals(stored.hash, digest) else { return nil }
        return stored
    }

    /// Checks the request's bearer key against `scope`: 401 without a valid key, 403 when its scope is too weak.
    func authenticate(_ request: Request, requiring scope: Scope) throws -> AuthenticatedKey {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("missing API key: send 'Authorization: Bearer <key>'")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("the Authorization header must be 'Bearer <key>'")
        }
        guard let stored = key(forSecret: String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
            throw APIError.unauthorized("unknown or revoked API key")
        }
        guard stored.scope.covers(scope) else {
            throw APIError.forbidden("key '\(stored.name)' has scope '\(stored.scope.rawValue)', this route needs '\(scope.rawValue)'")
        }
        return AuthenticatedKey(id: stored.id, name: stored.name, scope: stored.scope)
    }
}
