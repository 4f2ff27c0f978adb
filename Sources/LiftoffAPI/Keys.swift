import Foundation
import LiftoffCore

/// A key as listed: never the secret.
public struct KeyListing: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var scope: Scope
    /// The secret's first characters, to recognise a key.
    public var prefix: String
    public var createdAt: Date
    public var revokedAt: Date?
    /// Requests per second.
    public var rateLimit: Double?
    public var expiresAt: Date?

    public init(id: String, name: String, scope: Scope, prefix: String, createdAt: Date, revokedAt: Date?, rateLimit: Double?,
                expiresAt: Date?) {
        self.id = id
        self.name = name
        self.scope = scope
        self.prefix = prefix
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.rateLimit = rateLimit
        self.expiresAt = expiresAt
    }
}

/// `GET /v1/keys`.
public struct KeyList: Codable, Sendable {
    public var keys: [KeyListing]
    public init(keys: [KeyListing]) { self.keys = keys }
}

/// A new key with its secret, shown this once.
public struct CreatedKey: Codable, Sendable {
    public var id: String
    public var name: String
    public var scope: Scope
    public var key: String
    public var prefix: String
    public var rateLimit: Double?
    public var expiresAt: Date?

    public init(id: String, name: String, scope: Scope, key: String, prefix: String, rateLimit: Double?, expiresAt: Date?) {
        self.id = id
        self.name = name
        self.scope = scope
        self.key = key
        self.prefix = prefix
        self.rateLimit = rateLimit
        self.expiresAt = expiresAt
    }
}

/// The body of `POST /v1/keys`.
public struct CreateKeyRequest: Codable, Sendable {
    public var name: String
    /// `ingest`, `read`, `operate` or `admin`.
    public var scope: String
    public var rateLimit: Double?
    /// RFC 3339.
    public var expiresAt: String?

    public init(name: String, scope: String, rateLimit: Double? = nil, expiresAt: String? = nil) {
        self.name = name
        self.scope = scope
        self.rateLimit = rateLimit
        self.expiresAt = expiresAt
    }
}
