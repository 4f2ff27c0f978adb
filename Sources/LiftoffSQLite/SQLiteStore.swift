import Foundation
import GRDB
import LiftoffCore
import LiftoffStore
import Synchronization

/// The embedded store: one SQLite file in WAL mode behind one `DatabasePool`, migrated when opened.
/// Commits are synchronous (`synchronous=FULL`): once `append` returns, the events survive a crash.
public final class SQLiteStore: Store {
    let pool: SQLitePool
    let recentIDs: Mutex<RecentEventIDs>

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// `dedupeHorizon` and `dedupeCapacity` bound how far back a retried event id is recognised.
    public init(path: String, now: Date, dedupeHorizon: TimeInterval = 24 * 3600, dedupeCapacity: Int = 2_000_000) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        let databasePool: DatabasePool
        do {
            databasePool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteMigrations.migrator.migrate(databasePool)
        } catch {
            throw SQLitePool.translate(error)
        }
        pool = SQLitePool(pool: databasePool)
        var ids = RecentEventIDs(horizon: dedupeHorizon, capacity: dedupeCapacity)
        try pool.read { db in
            let since = Milliseconds.from(now.addingTimeInterval(-dedupeHorizon))
            let rows = try Row.fetchCursor(db, sql: """
                SELECT event_id, received_at FROM (
                    SELECT event_id, received_at, seq FROM events
                    WHERE received_at >= ? AND event_id IS NOT NULL ORDER BY seq DESC LIMIT ?
                ) ORDER BY seq
                """, arguments: [since, dedupeCapacity])
            while let row = try rows.next() {
                ids.insert(RecentEventIDs.Fingerprint(row[0]), receivedAt: Milliseconds.date(row[1]))
            }
        }
        recentIDs = Mutex(ids)
    }

    /// Opens the database at `path`, creating its folder first.
    public static func open(at path: String, now: Date) throws -> SQLiteStore {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try SQLiteStore(path: path, now: now)
    }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }
}

/// Times are stored as integer milliseconds since 1970.
enum Milliseconds {
    static func from(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
