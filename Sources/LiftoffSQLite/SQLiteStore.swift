import Foundation
import GRDB
import LiftoffCore
import LiftoffStore
import Synchronization

/// The embedded store: one SQLite file in WAL mode behind one `DatabasePool`, migrated when opened (or, for
/// a scratch store, one in-memory database).
/// Commits are synchronous (`synchronous=FULL`): once `append` returns, the events survive a crash.
public final class SQLiteStore: Store {
    /// Whether a commit waits for the disk.
    public enum Durability: Sendable {
        /// `synchronous=FULL`: a commit survives a crash of the process or the machine. Every server's store.
        case full
        /// A database that lives in memory and is gone with the store: a simulation run, whose data nobody
        /// reads afterwards, and which should not pay for files (a commit cost a fifth of a simulated step's
        /// ingest). The schema, constraints and statements are the same as a file's. Its aggregates are kept
        /// only decoded (every minute of them, from open to close): the aggregate tables, which let another
        /// process or a restart read them, are not written.
        case scratch
    }

    let pool: SQLitePool
    /// Where `append` runs its transactions (nil for a scratch store, which writes in place).
    let writerThread: DedicatedThreadExecutor?
    let recentIDs: Mutex<RecentEventIDs>
    /// The latest minutes of aggregates, decoded (see `RecentAggregates`).
    let recent: Mutex<RecentAggregates>
    /// The same for the segment rows (`segment_aggregates`), so a batch merges into them without reading SQL.
    let recentSegments: Mutex<RecentAggregates>
    /// Whole hours before `recent`, kept once read (see `HourlyAggregates`).
    let hourly = Mutex(HourlyAggregates(capacity: 8 * 24))
    /// Users already marked active on the latest days (see `RecentUserDays`).
    let recentUserDays = Mutex(RecentUserDays())
    /// The values each breakdown dimension has admitted, as stored in `dimension_values`.
    let dimensionValueState: Mutex<DimensionValues>
    /// `.scratch`: aggregates are kept in the mirrors only (see `Durability.scratch`).
    let aggregatesInMemoryOnly: Bool
    /// Users' latest assessed levels, as committed (see `UserLevelCache`).
    let userLevelCache = Mutex(UserLevelCache())
    /// Aggregate rows of the mirrors' minutes not yet written (see `AggregateBacklog`).
    let aggregateBacklog = Mutex(AggregateBacklog())
    /// How long those rows may wait.
    let aggregateWriteInterval: TimeInterval
    /// Events after the aggregates' checkpoint that opening the file could not read back, so left out of the
    /// aggregate rows (0 unless a row was damaged): for the server to report.
    public let unreplayableEvents: Int

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// `dedupeHorizon` and `dedupeCapacity` bound how far back a retried event id is recognised;
    /// `recentMinutes` how many of the latest minutes of aggregates are kept decoded in memory (0: none), which
    /// assumes this process is the file's only writer of events, as `liftoff serve` is. Aggregate rows of those
    /// minutes are written by the first commit at least `aggregateWriteInterval` seconds after the last write
    /// (or in another minute); every read of them uses memory meanwhile, and opening the file replays what a
    /// crash, or a stop with no commit since, left unwritten.
    public init(path: String, now: Date, dedupeHorizon: TimeInterval = 24 * 3600, dedupeCapacity: Int = 2_000_000,
                recentMinutes: Int = 180, durability: Durability = .full, aggregateWriteInterval: TimeInterval = 1) throws {
        self.aggregateWriteInterval = aggregateWriteInterval
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: durability == .full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        let databasePool: any DatabaseWriter
        do {
            // One in-memory connection for a scratch store: WAL and a pool of readers need a file.
            databasePool = durability == .scratch ? try DatabaseQueue(configuration: configuration)
                : try DatabasePool(path: path, configuration: configuration)
            if durability == .full {
                // Again, on the writer: opening a pool puts it in WAL mode and then sets `synchronous = NORMAL`
                // (GRDB's `setUpWALMode`), after `prepareDatabase` ran, so commits would not wait for the disk
                // and an acknowledged event could be lost with the machine.
                try databasePool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            }
            try SQLiteMigrations.migrator.migrate(databasePool)
            // Before the mirrors load the rows: a crash may have left the newest events' rows unwritten.
            unreplayableEvents = try databasePool.write { db in try Self.replayAggregates(db) }
        } catch {
            throw SQLitePool.translate(error)
        }
        pool = SQLitePool(pool: databasePool, inPlace: durability == .scratch)
        writerThread = durability == .scratch ? nil : DedicatedThreadExecutor(name: "sqlite-writer")
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
        aggregatesInMemoryOnly = durability == .scratch
        var mirror = aggregatesInMemoryOnly ? RecentAggregates.unbounded
            : RecentAggregates(horizon: Int64(recentMinutes), now: MinuteIndex(containing: now))
        var segmentMirror = mirror
        if mirror.isEnabled {
            let (loaded, segments) = try pool.read { db in
                (try Self.fetchAggregates(db, from: mirror.start), try Self.fetchSegmentAggregates(db, from: mirror.start))
            }
            for (key, aggregate) in loaded.rows { mirror.record(aggregate, at: key) }
            for (key, aggregate) in segments.rows { segmentMirror.record(aggregate, at: key) }
        }
        recent = Mutex(mirror)
        recentSegments = Mutex(segmentMirror)
        dimensionValueState = Mutex(DimensionValues(try pool.read { db in try Self.fetchDimensionValues(db) }))
    }

    static func fetchDimensionValues(_ db: Database) throws -> [MetricDimension: Set<String>] {
        var values: [MetricDimension: Set<String>] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT dimension, value FROM dimension_values") {
            guard let dimension = MetricDimension(rawValue: row[0]) else { continue }
            values[dimension, default: []].insert(row[1])
        }
        return values
    }

    /// Opens the database at `path`, creating its folder first.
    public static func open(at path: String, now: Date, durability: Durability = .full) throws -> SQLiteStore {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try SQLiteStore(path: path, now: now, durability: durability)
    }

    public var appendExecutor: (any TaskExecutor)? { writerThread }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }
}

/// Times are stored as integer milliseconds since 1970.
enum Milliseconds {
    static func from(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
