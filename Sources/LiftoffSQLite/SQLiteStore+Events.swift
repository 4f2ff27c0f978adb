import Foundation
import GRDB
import LiftoffCore
import LiftoffStore
import Synchronization

extension SQLiteStore {
    public func append(_ events: [RecordedEvent], receivedAt: Date) async throws -> [AppendStatus] {
        guard let writerThread else {
            return try await pool.writeWithoutTransaction { db in try self.record(events, receivedAt: receivedAt, db) }
        }
        // On the writer's own thread, where GRDB's blocking write runs in place: no hand-off to GRDB's queue
        // and back, which under load waited behind the shared pool's jobs (see `DedicatedThreadExecutor`).
        // Unlike GRDB's async write, a batch that has started is committed even if the calling task is
        // cancelled meanwhile: its events were accepted, and the caller learns their statuses.
        return try await withTaskExecutorPreference(writerThread) {
            assert(writerThread.isCurrent, "a blocking write must never hold a thread of the shared pool")
            return try pool.writeWithoutTransactionBlocking { db in try self.record(events, receivedAt: receivedAt, db) }
        }
    }

    /// `append`'s transaction, on the writer connection.
    private func record(_ events: [RecordedEvent], receivedAt: Date, _ db: Database) throws -> [AppendStatus] {
        var statuses: [AppendStatus] = []
        var fresh: [RecentEventIDs.Fingerprint] = []
        var written: [(AggregateKey, Aggregate)] = []
        var backlog = AggregateWrite.wroteBacklog
        var newUserDays: Set<UserDay> = []
        var dimensionValues = dimensionValueState.withLock { $0 }
        var levels = UserLevels(store: self)
        try db.inCachedTransaction {
            dimensionValues = dimensionValueState.withLock { $0 }
            levels = UserLevels(store: self)
            statuses = []
            fresh = []
            var seenInBatch = FingerprintSet(minimumCapacity: events.count)
            var delta = AggregateTable()
            var userDays = Set<UserDay>()
            let received = Milliseconds.from(receivedAt)
            var rows = EventRows()
            for var recorded in events {
                // As stored (whole milliseconds), so a replay of the event folds it into the same minute.
                recorded.event.timestamp = Milliseconds.date(Milliseconds.from(recorded.event.timestamp))
                let event = recorded.event
                if let id = event.id {
                    let fingerprint = RecentEventIDs.Fingerprint(id)
                    let known = recentIDs.withLock { $0.contains(fingerprint) }
                    guard !known, seenInBatch.insert(fingerprint) else {
                        statuses.append(.duplicate)
                        continue
                    }
                    fresh.append(fingerprint)
                }
                try enrich(&recorded, db)
                if !recorded.dimensions.isEmpty {
                    let level = recorded.dimensions[.skillLevel] == nil ? nil : try levels.level(of: event.userId, db)
                    for segment in dimensionValues.segment(&recorded, skillLevel: level) {
                        try db.cachedStatement(sql: "INSERT OR IGNORE INTO dimension_values (dimension, value, admitted_at) VALUES (?, ?, ?)")
                            .execute(arguments: [segment.dimension.rawValue, segment.value, received])
                    }
                }
                if case .assessment(let assessment) = event.payload, let user = event.userId, let level = assessment.level {
                    try levels.assessed(user, level, at: Milliseconds.from(event.timestamp), db)
                }
                try rows.append(EventRows.Row(recorded, receivedAt: received), db)
                if let user = event.userId {
                    userDays.insert(UserDay(user: user, day: DayIndex(containing: event.timestamp), attribution: recorded.attribution))
                }
                delta.fold(recorded)
                statuses.append(.accepted)
            }
            try rows.flush(db)
            let markActive = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO user_days (user_id, day, phase, variant) VALUES (?, ?, ?, ?)
                """)
            newUserDays = recentUserDays.withLock { known in
                userDays.filter { !known.contains(user: $0.user, day: $0.day) }
            }
            for userDay in newUserDays {
                try markActive.execute(arguments: [
                    userDay.user, userDay.day.rawValue, userDay.attribution.phase, userDay.attribution.variant.rawValue,
                ])
            }
            (written, backlog) = try mergeAggregates(delta, receivedAt: receivedAt, db)
        }
        // Only after the commit: a rolled-back batch must not make its ids look recorded, nor its
        // aggregates look stored. Still on the writer, so no other write comes between.
        recentIDs.withLock { ids in
            for fingerprint in fresh { ids.insert(fingerprint, receivedAt: receivedAt) }
        }
        recentUserDays.withLock { known in
            for userDay in newUserDays { known.insert(user: userDay.user, day: userDay.day) }
        }
        dimensionValueState.withLock { $0 = dimensionValues }
        if !levels.known.isEmpty { userLevelCache.withLock { $0.keep(levels.known) } }
        aggregateBacklog.withLock { pending in
            switch backlog {
            case .wroteBacklog:
                pending = AggregateBacklog(keys: [], writtenAt: receivedAt, minute: MinuteIndex(containing: receivedAt))
            case .deferred(let keys):
                pending.keys.formUnion(keys)
            }
        }
        let mirrorStart = recent.withLock { mirror in
            let start = mirror.start
            mirror.advance(to: MinuteIndex(containing: receivedAt))
            for (key, aggregate) in written where key.segment == nil { mirror.record(aggregate, at: key) }
            return start
        }
        recentSegments.withLock { mirror in
            mirror.advance(to: MinuteIndex(containing: receivedAt))
            for (key, aggregate) in written where key.segment != nil { mirror.record(aggregate, at: key) }
        }
        // A late event changed an hour older than the mirror, which a read may have kept.
        let older = written.lazy.filter { $0.0.segment == nil }.map(\.0.minute).filter { $0 < mirrorStart }
        if !older.isEmpty {
            hourly.withLock { cache in for minute in older { cache.written(minute: minute) } }
        }
        return statuses
    }

    /// Fills the values that depend on the user's history, and records what later events will need.
    private func enrich(_ recorded: inout RecordedEvent, _ db: Database) throws {
        let event = recorded.event
        switch event.payload {
        case .sessionStart:
            let at = Milliseconds.from(event.timestamp)
            // Cached statements: enrichment runs per event, and preparing each statement anew was most of its cost.
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO sessions (session_id, user_id, started_at) VALUES (?, ?, ?)")
                .execute(arguments: [event.sessionId, event.userId, at])
            recorded.concurrentSessions = try Int.fetchOne(db.cachedStatement(sql: """
                SELECT COUNT(*) FROM sessions WHERE ended_at IS NULL AND started_at > ? AND started_at <= ?
                """), arguments: [at - Int64(SessionLimits.openFor * 1000), at])
        case .sessionEnd(let end):
            if end.durationSeconds == nil,
               let started = try Int64.fetchOne(db.cachedStatement(sql: "SELECT started_at FROM sessions WHERE session_id = ?"),
                                                arguments: [event.sessionId]) {
                let seconds = (Double(Milliseconds.from(event.timestamp) - started)) / 1000
                if seconds >= 0 { recorded.sessionSeconds = seconds }
            }
            try db.cachedStatement(sql: "UPDATE sessions SET ended_at = ? WHERE session_id = ? AND ended_at IS NULL")
                .execute(arguments: [Milliseconds.from(event.timestamp), event.sessionId])
        case .assessment(let assessment):
            if let previous = try Double.fetchOne(db.cachedStatement(sql: "SELECT score FROM skill_scores WHERE user_id = ? AND skill = ?"),
                                                  arguments: [event.userId, assessment.skill]) {
                recorded.skillDelta = assessment.score - previous
            }
            try db.cachedStatement(sql: """
                INSERT INTO skill_scores (user_id, skill, score, assessed_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (user_id, skill) DO UPDATE SET score = excluded.score, assessed_at = excluded.assessed_at
                """).execute(arguments: [event.userId, assessment.skill, assessment.score, Milliseconds.from(event.timestamp)])
            if let level = assessment.level, let user = event.userId {
                // A late assessment does not replace a newer one's level.
                try db.cachedStatement(sql: """
                    INSERT INTO user_levels (user_id, level, assessed_at) VALUES (?, ?, ?)
                    ON CONFLICT (user_id) DO UPDATE SET level = excluded.level, assessed_at = excluded.assessed_at
                    WHERE excluded.assessed_at >= user_levels.assessed_at
                    """).execute(arguments: [user, level, Milliseconds.from(event.timestamp)])
            }
        default:
            break
        }
    }

    /// An upsert's update of a stored aggregate row, its key kept. Not `INSERT OR REPLACE`: that deletes the
    /// row and inserts it again, which rewrote `segment_aggregates_by_minute`'s entry (a page of the log) on
    /// every commit though the minute never changes.
    static let aggregateValuesUpdate = """
        count = excluded.count, sum = excluded.sum, sum_squares = excluded.sum_squares, min = excluded.min, max = excluded.max,
        sketch = excluded.sketch
        """

    /// Adds `delta` to the stored rows: reads each (from its in-memory mirror where that covers the minute,
    /// else from SQL) and merges. Rows of the mirrors' minutes join the backlog; older rows are written now,
    /// and so is the backlog when it is due or when anything was written now (see `AggregateBacklog`), all
    /// inside the ingest transaction. Returns the rows as merged, and what became of the backlog.
    private func mergeAggregates(_ delta: AggregateTable, receivedAt: Date, _ db: Database) throws
        -> (merged: [(AggregateKey, Aggregate)], backlog: AggregateWrite) {
        var merged: [(AggregateKey, Aggregate)] = []
        let rows = delta.rows
        merged.reserveCapacity(rows.count)
        var deferred: [AggregateKey] = []
        var writtenThrough = false
        var statements = AggregateStatements()
        for (key, added) in rows {
            let mirrored = mirrored(at: key)
            let stored: Aggregate?
            if case .some(let inMirror) = mirrored {
                stored = inMirror
            } else {
                stored = try Self.storedAggregate(at: key, &statements, db)
            }
            let aggregate = Self.merged(added, onto: stored)
            merged.append((key, aggregate))
            guard !aggregatesInMemoryOnly else { continue }
            if mirrored != nil {
                deferred.append(key)
            } else {
                try Self.write(aggregate, at: key, &statements, db)
                writtenThrough = true
            }
        }
        guard !aggregatesInMemoryOnly else { return (merged, .deferred([])) }
        var pending = aggregateBacklog.withLock { $0 }
        pending.keys.formUnion(deferred)
        guard writtenThrough || pending.isDue(at: receivedAt, interval: aggregateWriteInterval) else { return (merged, .deferred(deferred)) }
        try writeBacklog(pending.keys, latest: Dictionary(merged, uniquingKeysWith: { _, last in last }), &statements, db)
        try Self.moveAggregatesCheckpoint(db)
        return (merged, .wroteBacklog)
    }

    /// Writes the backlog's rows, in the caller's transaction: before anything changes the events a replay
    /// would read (retention, redaction). The caller then moves the checkpoint.
    func writeAggregateBacklog(_ db: Database) throws {
        var statements = AggregateStatements()
        try writeBacklog(aggregateBacklog.withLock { $0.keys }, latest: [:], &statements, db)
    }

    /// Writes the rows at `keys`: from `latest` (this transaction's merges, not yet in the mirrors), else from
    /// their mirror. Every backlog row is in its mirror: its minute joined the backlog only while a mirror
    /// covered it, and a mirror drops minutes only when the minute turns, which writes the backlog first.
    private func writeBacklog(_ keys: Set<AggregateKey>, latest: [AggregateKey: Aggregate], _ statements: inout AggregateStatements,
                              _ db: Database) throws {
        for key in keys {
            if let aggregate = latest[key] {
                try Self.write(aggregate, at: key, &statements, db)
            } else if case .some(.some(let mirrored)) = mirrored(at: key) {
                try Self.write(mirrored, at: key, &statements, db)
            }
        }
    }

    /// The row at `key` in its in-memory mirror: nil when the mirror does not cover the minute, `.some(nil)`
    /// when it does and no row is stored.
    private func mirrored(at key: AggregateKey) -> Aggregate?? {
        key.segment == nil ? recent.withLock { $0.stored(at: key) } : recentSegments.withLock { $0.stored(at: key) }
    }

    /// `added` merged onto the row stored before it, if any.
    static func merged(_ added: Aggregate, onto stored: Aggregate?) -> Aggregate {
        guard var stored else { return added }
        stored.merge(added)
        return stored
    }

    /// The stored row at `key`, read from SQL.
    static func storedAggregate(at key: AggregateKey, _ statements: inout AggregateStatements, _ db: Database) throws -> Aggregate? {
        let row: Row?
        if let segment = key.segment {
            row = try Row.fetchOne(try statements.segmentSelect(db), arguments: [segment.dimension.rawValue, segment.value, key.minute.rawValue,
                                                                                  key.phase, key.variant.rawValue, key.epoch, key.measure.rawValue])
        } else {
            row = try Row.fetchOne(try statements.select(db), arguments: [key.minute.rawValue, key.phase, key.variant.rawValue, key.epoch,
                                                                           key.measure.rawValue])
        }
        return try row.map { try AggregateRowCoding.aggregate(from: $0, measure: key.measure) }
    }

    /// Writes the row at `key`, replacing what is stored.
    static func write(_ aggregate: Aggregate, at key: AggregateKey, _ statements: inout AggregateStatements, _ db: Database) throws {
        if let segment = key.segment {
            try AggregateRowCoding.execute(try statements.segmentWrite(db), key: [
                .text(segment.dimension.rawValue), .text(segment.value), .integer(key.minute.rawValue), .text(key.phase),
                .text(key.variant.rawValue), .integer(Int64(key.epoch)), .text(key.measure.rawValue),
            ], aggregate, db)
        } else {
            try AggregateRowCoding.execute(try statements.write(db), key: [
                .integer(key.minute.rawValue), .text(key.phase), .text(key.variant.rawValue), .integer(Int64(key.epoch)),
                .text(key.measure.rawValue),
            ], aggregate, db)
        }
    }
}

/// What a commit did with the aggregate backlog.
enum AggregateWrite {
    /// Wrote it (and moved the checkpoint): the backlog is empty after the commit.
    case wroteBacklog
    /// Left it for a later commit, with these rows added.
    case deferred([AggregateKey])
}

/// The aggregate tables' statements, each looked up at its first use in a batch: a lookup hashes the statement's text.
struct AggregateStatements {
    private var cached = [Statement?](repeating: nil, count: 4)

    mutating func select(_ db: Database) throws -> Statement {
        try statement(0, db, sql: """
            SELECT count, sum, sum_squares, min, max, sketch FROM minute_aggregates
            WHERE minute = ? AND phase = ? AND variant = ? AND epoch = ? AND measure = ?
            """)
    }

    mutating func write(_ db: Database) throws -> Statement {
        try statement(1, db, sql: """
            INSERT INTO minute_aggregates (minute, phase, variant, epoch, measure, count, sum, sum_squares, min, max, sketch)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (minute, phase, variant, epoch, measure) DO UPDATE SET \(SQLiteStore.aggregateValuesUpdate)
            """)
    }

    mutating func segmentSelect(_ db: Database) throws -> Statement {
        try statement(2, db, sql: """
            SELECT count, sum, sum_squares, min, max, sketch FROM segment_aggregates
            WHERE dimension = ? AND value = ? AND minute = ? AND phase = ? AND variant = ? AND epoch = ? AND measure = ?
            """)
    }

    mutating func segmentWrite(_ db: Database) throws -> Statement {
        try statement(3, db, sql: """
            INSERT INTO segment_aggregates (dimension, value, minute, phase, variant, epoch, measure,
                                            count, sum, sum_squares, min, max, sketch)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (dimension, value, minute, phase, variant, epoch, measure) DO UPDATE SET \(SQLiteStore.aggregateValuesUpdate)
            """)
    }

    private mutating func statement(_ slot: Int, _ db: Database, sql: @autoclosure () -> String) throws -> Statement {
        if let statement = cached[slot] { return statement }
        let statement = try db.cachedStatement(sql: sql())
        cached[slot] = statement
        return statement
    }
}

/// The latest assessed level of the batch's users: from this batch's own assessments, else from what
/// earlier batches learnt (`UserLevelCache`), else read from `user_levels` once per user.
struct UserLevels {
    /// Learnt by this batch; kept by the cache only once the batch commits.
    private(set) var known: [String: (level: String, at: Int64)?] = [:]
    let store: SQLiteStore

    mutating func level(of user: String?, _ db: Database) throws -> String? {
        guard let user else { return nil }
        return try stored(user, db)?.level
    }

    /// Takes an assessment's level unless the user already has a newer one (as `user_levels` does).
    mutating func assessed(_ user: String, _ level: String, at: Int64, _ db: Database) throws {
        if let current = try stored(user, db), current.at > at { return }
        known[user] = .some((level, at))
    }

    private mutating func stored(_ user: String, _ db: Database) throws -> (level: String, at: Int64)? {
        if let entry = known[user] { return entry }
        if let entry = store.userLevelCache.withLock({ $0.entries[user] }) { return entry }
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT level, assessed_at FROM user_levels WHERE user_id = ?"), arguments: [user])
        let entry = row.map { (level: $0[0] as String, at: $0[1] as Int64) }
        known[user] = .some(entry)
        return entry
    }
}

private struct UserDay: Hashable {
    var user: String
    var day: DayIndex
    var attribution: Attribution

    static func == (lhs: UserDay, rhs: UserDay) -> Bool { lhs.user == rhs.user && lhs.day == rhs.day }
    func hash(into hasher: inout Hasher) {
        hasher.combine(user)
        hasher.combine(day)
    }
}

/// Users' latest assessed levels (or that they have none) as committed, so a batch reads `user_levels` only
/// for users no batch has seen: this store is the file's only writer, so what it learnt stays true until it
/// writes again, which it records here. Bounded: emptied when it reaches `capacity` users.
struct UserLevelCache: Sendable {
    var entries: [String: (level: String, at: Int64)?] = [:]
    static let capacity = 200_000

    mutating func keep(_ learnt: [String: (level: String, at: Int64)?]) {
        if entries.count + learnt.count > Self.capacity { entries.removeAll(keepingCapacity: true) }
        entries.merge(learnt) { _, new in new }
    }
}
