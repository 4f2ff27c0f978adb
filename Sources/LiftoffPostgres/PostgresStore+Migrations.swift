import Foundation
import LiftoffStore
import PostgresNIO

extension PostgresStore {
    /// The advisory lock that migrations hold: one bigint, chosen once, that nothing else in Liftoff takes.
    static let migrationLock: Int64 = 0x4C69_6674_6F66_6601

    /// Brings the schema up to date. Holds a session advisory lock for the whole run, so nodes starting
    /// together migrate once: the second waits, then finds nothing left to do. Each migration commits with its
    /// row in `schema_migrations`. Fails with `StoreError.corrupt` when the database was migrated by a newer
    /// Liftoff (a migration number this build does not know).
    public func migrate() async throws {
        do {
            try await client.withConnection { connection in
                try await connection.query("SELECT pg_advisory_lock(\(Self.migrationLock))", logger: logger)
                do {
                    try await applyMigrations(connection)
                } catch {
                    _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: logger)
                    throw error
                }
                try await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: logger)
            }
        } catch {
            throw Self.translate(error)
        }
    }

    private func applyMigrations(_ connection: PostgresConnection) async throws {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                number INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            """, logger: logger)
        var applied = Set<Int>()
        for try await number in try await connection.query("SELECT number FROM schema_migrations", logger: logger).decode(Int.self) {
            applied.insert(number)
        }
        let known = Set(PostgresMigrations.all.map(\.number))
        if let unknown = applied.subtracting(known).max() {
            throw StoreError(.corrupt, "the database was migrated by a newer Liftoff (migration \(unknown)); this build knows up to \(known.max() ?? 0)")
        }
        for migration in PostgresMigrations.all where !applied.contains(migration.number) {
            try await connection.query("BEGIN", logger: logger)
            do {
                // Several statements in one simple query: PostgresNIO's extended protocol takes one statement,
                // so each is sent in turn.
                for statement in Self.statements(of: migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (number, name) VALUES (\(migration.number), \(migration.name))", logger: logger)
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
            logger.info("applied PostgreSQL migration", metadata: ["number": "\(migration.number)", "name": "\(migration.name)"])
        }
    }

    /// Splits a migration into statements at the semicolons that end a line outside a `$$` body.
    static func statements(of sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var inBody = false
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("--") { continue }
            current += line + "\n"
            if line.components(separatedBy: "$$").count % 2 == 0 { inBody.toggle() }
            if !inBody && trimmed.hasSuffix(";") {
                statements.append(current.trimmingCharacters(in: .whitespacesAndNewlines))
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { statements.append(rest) }
        return statements
    }
}

extension PostgresStore {
    /// The highest migration number this build applies.
    public static var knownMigrations: Int { PostgresMigrations.all.map(\.number).max() ?? 0 }

    /// The migration numbers recorded in the database, ascending.
    public func appliedMigrations() async throws -> [Int] {
        try await run("SELECT number FROM schema_migrations ORDER BY number").map { try $0.decode(Int.self) }
    }
}
