import Foundation
import GRDB
import LiftoffCore

extension SQLiteStore {
    public func activeKeys() async throws -> [StoredKey] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, name, scope, hash, prefix, created_at, revoked_at FROM api_keys WHERE revoked_at IS NULL
                """).map(Self.key(from:))
        }
    }

    public func insertKey(_ key: StoredKey) async throws {
        do {
            try await pool.write { db in
                try db.execute(sql: """
                    INSERT INTO api_keys (id, name, scope, hash, prefix, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: Self.arguments(of: key))
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw StoreError(.conflict, "a key named '\(key.name)' already exists")
        }
    }

    public func upsertKey(_ key: StoredKey) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO api_keys (id, name, scope, hash, prefix, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET scope = excluded.scope, hash = excluded.hash, prefix = excluded.prefix,
                    revoked_at = NULL
                """, arguments: Self.arguments(of: key))
        }
    }

    private static func arguments(of key: StoredKey) -> StatementArguments {
        [key.id, key.name, key.scope.rawValue, Data(key.hash), key.prefix, Milliseconds.from(key.createdAt),
         key.revokedAt.map(Milliseconds.from)]
    }

    private static func key(from row: Row) throws -> StoredKey {
        guard let scope = Scope(rawValue: row["scope"]) else {
            throw StoreError(.corrupt, "api_keys row with unknown scope")
        }
        let hash: Data = row["hash"]
        return StoredKey(id: row["id"], name: row["name"], scope: scope, hash: Array(hash), prefix: row["prefix"],
                         createdAt: Milliseconds.date(row["created_at"]),
                         revokedAt: (row["revoked_at"] as Int64?).map(Milliseconds.date))
    }
}
