import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffStore

/// Creating, listing and revoking API keys, for the `/v1/keys` API and for `liftoff keys` on a data
/// directory alike. The secret is returned once, at creation; only its SHA-256 is stored.
public struct KeyAdministration: Sendable {
    let store: any Store
    let clock: any WallClock

    public init(store: any Store, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// A key as listed: never the secret.
    public typealias Listing = KeyListing
    /// A new key with its secret, shown this once.
    public typealias Created = CreatedKey

    public func create(name: String, scope: Scope, rateLimit: Double?, expiresAt: Date?, actor: String) async throws -> Created {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 128 else { throw DomainError.invalid("name: must be 1 to 128 characters") }
        if let rateLimit, !(rateLimit > 0 && rateLimit <= 1_000_000) {
            throw DomainError.invalid("rateLimit: must be between 0 and 1000000 requests per second")
        }
        let now = clock.now()
        if let expiresAt, expiresAt <= now { throw DomainError.invalid("expiresAt: must be in the future") }
        let secret = APIKeySecret.generate()
        let key = StoredKey(id: APIKeySecret.identifier(), name: trimmed, scope: scope, hash: APIKeySecret.hash(secret),
                            prefix: APIKeySecret.prefix(secret), createdAt: now, rateLimit: rateLimit, expiresAt: expiresAt)
        try await store.insertKey(key, audit: AuditEntry(at: now, actor: actor, action: "key.create", reason: nil,
                                                         after: #"{"id":"\#(key.id)","name":\#(RolloutCoordinator.quote(trimmed)),"scope":"\#(scope.rawValue)"}"#))
        return Created(id: key.id, name: key.name, scope: scope, key: secret, prefix: key.prefix, rateLimit: rateLimit, expiresAt: expiresAt)
    }

    public func list() async throws -> [Listing] {
        try await store.allKeys().map { key in
            Listing(id: key.id, name: key.name, scope: key.scope, prefix: key.prefix, createdAt: key.createdAt,
                    revokedAt: key.revokedAt, rateLimit: key.rateLimit, expiresAt: key.expiresAt)
        }
    }

    public func revoke(id: String, actor: String, reason: String?) async throws {
        let now = clock.now()
        let revoked = try await store.revokeKey(id, at: now, audit: AuditEntry(at: now, actor: actor, action: "key.revoke", reason: reason,
                                                                                before: #"{"id":"\#(id)"}"#))
        guard revoked else { throw DomainError.notFound("no active key with id '\(id)'") }
    }
}
