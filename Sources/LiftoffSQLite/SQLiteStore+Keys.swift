import Foundation
import GRDB
import LiftoffCore
import LiftoffStore

extension SQLiteStore {
    public func activeKeys() async throws -> [StoredKey] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM api_keys WHERE revoked_at IS NULL
                """).map(Self.key(from:))
        }
    }

    public func insertKey(_ key: StoredKey) async throws {
        try await insert(key, audit: nil)
    }

    public func insertKey(_ key: StoredKey, audit: AuditEntry) async throws {
        try await insert(key, audit: audit)
    }

    private func insert(_ key: StoredKey, audit: AuditEntry?) async throws {
        do {
            try await pool.write { db in
                try db.execute(sql: """
                    INSERT INTO api_keys (id, name, scope, hash, prefix, created_at, revoked_at, rate_limit, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: Self.arguments(of: key))
                if let audit { try Self.insert(audit, db) }
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw StoreError(.conflict, "a key named '\(key.name)' already exists")
        }
    }

    public func allKeys() async throws -> [StoredKey] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_keys ORDER BY created_at, name").map(Self.key(from:))
        }
    }

    public func revokeKey(_ id: String, at date: Date, audit: AuditEntry) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                           arguments: [Milliseconds.from(date), id])
            guard db.changesCount > 0 else { return false }
            try Self.insert(audit, db)
            return true
        }
    }

    public func upsertKey(_ key: StoredKey) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO api_keys (id, name, scope, hash, prefix, created_at, revoked_at, rate_limit, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET scope = excluded.scope, hash = excluded.hash, prefix = excluded.prefix,
                    revoked_at = NULL, expires_at = NULL
                """, arguments: Self.arguments(of: key))
        }
    }

    private static func arguments(of key: StoredKey) -> StatementArguments {
        [key.id, key.name, key.scope.rawValue, Data(key.hash), key.prefix, Milliseconds.from(key.createdAt),
         key.revokedAt.map(Milliseconds.from), key.rateLimit, key.expiresAt.map(Milliseconds.from)]
    }

    private static func key(from row: Row) throws -> StoredKey {
        guard let scope = Scope(rawValue: row["scope"]) else {
            throw StoreError(.corrupt, "api_keys row with unknown scope")
        }
        let hash: Data = row["hash"]
        return StoredKey(id: row["id"], name: row["name"], scope: scope, hash: Array(hash), prefix: row["prefix"],
                         createdAt: Milliseconds.date(row["created_at"]),
                         revokedAt: (row["revoked_at"] as Int64?).map(Milliseconds.date),
                         rateLimit: row["rate_limit"], expiresAt: (row["expires_at"] as Int64?).map(Milliseconds.date))
    }
}
