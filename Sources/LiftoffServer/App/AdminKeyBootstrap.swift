import Foundation
import LiftoffCore
import LiftoffStore

/// Makes sure a server always has an admin key: the operator's `LIFTOFF_ADMIN_KEY` when given, else one
/// generated on the first start. Only the hash is stored; a generated secret is returned so that the
/// caller can print it, once.
enum AdminKeyBootstrap {
    static let keyName = "admin"

    /// The generated secret, or nil when the operator supplied the key or one already exists.
    static func ensure(store: any Store, configured: String?, now: Date) async throws -> String? {
        if let configured {
            guard configured.count >= 16 else {
                throw ConfigurationError("LIFTOFF_ADMIN_KEY must be at least 16 characters")
            }
            var chosen = key(secret: configured, now: now)
            // An operator-chosen secret may be weak: show no part of it in listings.
            chosen.prefix = "(env)"
            try await store.upsertKey(chosen)
            return nil
        }
        if try await store.activeKeys().contains(where: { $0.scope == .admin }) { return nil }
        let secret = APIKeySecret.generate()
        try await store.upsertKey(key(secret: secret, now: now))
        return secret
    }

    private static func key(secret: String, now: Date) -> StoredKey {
        StoredKey(id: APIKeySecret.identifier(), name: keyName, scope: .admin, hash: APIKeySecret.hash(secret),
                  prefix: APIKeySecret.prefix(secret), createdAt: now)
    }
}

/// A configuration the server cannot start with; the message says what to change.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
