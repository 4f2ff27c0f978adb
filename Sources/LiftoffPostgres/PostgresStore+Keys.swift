import Foundation
import LiftoffCore
import LiftoffStore
import NIOCore
import PostgresNIO

extension PostgresStore {
    static let keyColumns = "id, name, scope, hash, prefix, created_at, revoked_at, rate_limit, expires_at"

    public func activeKeys() async throws -> [StoredKey] {
        try await run("SELECT \(unescaped: Self.keyColumns) FROM api_keys WHERE revoked_at IS NULL").map(Self.key(from:))
    }

    public func insertKey(_ key: StoredKey) async throws {
        try await insert(key, audit: nil)
    }

    public func insertKey(_ key: StoredKey, audit: AuditEntry) async throws {
        try await insert(key, audit: audit)
    }

    private func insert(_ key: StoredKey, audit: AuditEntry?) async throws {
        do {
            try await transaction { [self] connection in
                try await connection.query(Self.insertion(of: key, onConflict: ""), logger: logger)
                if let audit { try await Self.insert(audit, connection, logger: logger) }
            }
        } catch where Self.isUniqueViolation(error) {
            throw StoreError(.conflict, "a key named '\(key.name)' already exists")
        }
    }

    public func allKeys() async throws -> [StoredKey] {
        try await run("SELECT \(unescaped: Self.keyColumns) FROM api_keys ORDER BY created_at, name").map(Self.key(from:))
    }

    public func revokeKey(_ id: String, at date: Date, audit: AuditEntry) async throws -> Bool {
        try await transaction { [self] connection in
            let revoked = try await connection.query("""
                UPDATE api_keys SET revoked_at = \(Milliseconds.from(date)) WHERE id = \(id) AND revoked_at IS NULL RETURNING id
                """, logger: logger).collect()
            guard !revoked.isEmpty else { return false }
            try await Self.insert(audit, connection, logger: logger)
            return true
        }
    }

    public func upsertKey(_ key: StoredKey) async throws {
        try await run(Self.insertion(of: key, onConflict: """
             ON CONFLICT (name) DO UPDATE SET scope = EXCLUDED.scope, hash = EXCLUDED.hash, prefix = EXCLUDED.prefix,
                revoked_at = NULL, expires_at = NULL
            """))
    }

    private static func insertion(of key: StoredKey, onConflict: String) -> PostgresQuery {
        var sql = SQLBuilder("INSERT INTO api_keys (\(keyColumns)) VALUES (")
        let values = [sql.bind(key.id), sql.bind(key.name), sql.bind(key.scope.rawValue), sql.bind(ByteBuffer(bytes: key.hash)), sql.bind(key.prefix),
                      sql.bind(Milliseconds.from(key.createdAt)), sql.bind(key.revokedAt.map(Milliseconds.from)), sql.bind(key.rateLimit),
                      sql.bind(key.expiresAt.map(Milliseconds.from))]
        sql.append(values.joined(separator: ", ") + ")" + onConflict)
        return sql.query
    }

    private static func key(from row: PostgresRow) throws -> StoredKey {
        let (id, name, scopeText, hash, prefix, created, revoked, rateLimit, expires) = try row.decode(
            (String, String, String, Data, String, Int64, Int64?, Double?, Int64?).self)
        guard let scope = Scope(rawValue: scopeText) else {
            throw StoreError(.corrupt, "api_keys row with unknown scope")
        }
        return StoredKey(id: id, name: name, scope: scope, hash: Array(hash), prefix: prefix, createdAt: Milliseconds.date(created),
                         revokedAt: revoked.map(Milliseconds.date), rateLimit: rateLimit, expiresAt: expires.map(Milliseconds.date))
    }

    public func secret(named name: String, make: @Sendable () -> [UInt8]) async throws -> [UInt8] {
        // Two nodes asking for the first time race on the insert; the first one's value wins for both.
        let candidate = make()
        try await run("INSERT INTO secrets (name, value) VALUES (\(name), \(ByteBuffer(bytes: candidate))) ON CONFLICT (name) DO NOTHING")
        guard let row = try await run("SELECT value FROM secrets WHERE name = \(name)").first else {
            throw StoreError(.corrupt, "the secret '\(name)' just written cannot be read back")
        }
        return Array(try row.decode(Data.self))
    }

    public func purge(eventsBefore: Date?, feedbackTextBefore: Date?, audit: @escaping @Sendable (Int, Int) -> AuditEntry) async throws -> PurgeResult {
        try await transaction { [self] connection in
            var deleted = 0
            var redacted = 0
            if let eventsBefore {
                let rows = try await connection.query("""
                    WITH gone AS (DELETE FROM events WHERE received_at < \(Milliseconds.from(eventsBefore)) RETURNING 1)
                    SELECT COUNT(*)::bigint FROM gone
                    """, logger: logger).collect()
                deleted = try rows.first?.decode(Int.self) ?? 0
            }
            if let feedbackTextBefore {
                let rows = try await connection.query("""
                    WITH changed AS (
                        UPDATE events SET payload = (payload::jsonb - 'suggestion')::text
                        WHERE type = 'feedback' AND received_at < \(Milliseconds.from(feedbackTextBefore))
                          AND payload::jsonb ? 'suggestion' AND payload::jsonb->'suggestion' <> 'null'::jsonb
                        RETURNING 1)
                    SELECT COUNT(*)::bigint FROM changed
                    """, logger: logger).collect()
                redacted = try rows.first?.decode(Int.self) ?? 0
            }
            if deleted + redacted > 0 { try await Self.insert(audit(deleted, redacted), connection, logger: logger) }
            return PurgeResult(deleted: deleted, redacted: redacted)
        }
    }
}
