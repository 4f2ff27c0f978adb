import Foundation
import GRDB
import LiftoffCore
import LiftoffStore

extension SQLiteStore {
    public func append(_ events: [RecordedEvent], receivedAt: Date) async throws -> [AppendStatus] {
        try await pool.writeWithoutTransaction { db in
            var statuses: [AppendStatus] = []
            var fresh: [RecentEventIDs.Fingerprint] = []
            var written: [(AggregateKey, Aggregate)] = []
            var newUserDays: Set<UserDay> = []
            try db.inTransaction {
                statuses = []
                fresh = []
                var seenInBatch = Set<RecentEventIDs.Fingerprint>()
                var delta = AggregateTable()
                var userDays = Set<UserDay>()
                let received = Milliseconds.from(receivedAt)
                var rows = EventRows()
                for var recorded in events {
                    let event = recorded.event
                    if let id = event.id {
                        let fingerprint = RecentEventIDs.Fingerprint(id)
                        let known = recentIDs.withLock { $0.contains(fingerprint) }
                        guard !known, seenInBatch.insert(fingerprint).inserted else {
                            statuses.append(.duplicate)
                            continue
                        }
                        fresh.append(fingerprint)
                    }
                    try enrich(&recorded, db)
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
                written = try mergeAggregates(delta, db)
                return .commit
            }
            // Only after the commit: a rolled-back batch must not make its ids look recorded, nor its
            // aggregates look stored. Still on the writer, so no other write comes between.
            recentIDs.withLock { ids in
                for fingerprint in fresh { ids.insert(fingerprint, receivedAt: receivedAt) }
            }
            recentUserDays.withLock { known in
                for userDay in newUserDays { known.insert(user: userDay.user, day: userDay.day) }
            }
            let mirrorStart = recent.withLock { mirror in
                let start = mirror.start
                mirror.advance(to: MinuteIndex(containing: receivedAt))
                for (key, aggregate) in written { mirror.record(aggregate, at: key) }
                return start
            }
            // A late event changed an hour older than the mirror, which a read may have kept.
            let older = written.lazy.map(\.0.minute).filter { $0 < mirrorStart }
            if !older.isEmpty {
                hourly.withLock { cache in for minute in older { cache.written(minute: minute) } }
            }
            return statuses
        }
    }

    /// Fills the values that depend on the user's history, and records what later events will need.
    private func enrich(_ recorded: inout RecordedEvent, _ db: Database) throws {
        let event = recorded.event
        switch event.payload {
        case .sessionStart:
            try db.execute(
                sql: "INSERT OR IGNORE INTO sessions (session_id, user_id, started_at) VALUES (?, ?, ?)",
                arguments: [event.sessionId, event.userId, Milliseconds.from(event.timestamp)])
        case .sessionEnd(let end) where end.durationSeconds == nil:
            if let started = try Int64.fetchOne(db, sql: "SELECT started_at FROM sessions WHERE session_id = ?",
                                                arguments: [event.sessionId]) {
                let seconds = (Double(Milliseconds.from(event.timestamp) - started)) / 1000
                if seconds >= 0 { recorded.sessionSeconds = seconds }
            }
        case .assessment(let assessment):
            if let previous = try Double.fetchOne(db, sql: "SELECT score FROM skill_scores WHERE user_id = ? AND skill = ?",
                                                  arguments: [event.userId, assessment.skill]) {
                recorded.skillDelta = assessment.score - previous
            }
            try db.execute(sql: """
                INSERT INTO skill_scores (user_id, skill, score, assessed_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (user_id, skill) DO UPDATE SET score = excluded.score, assessed_at = excluded.assessed_at
                """, arguments: [event.userId, assessment.skill, assessment.score, Milliseconds.from(event.timestamp)])
        default:
            break
        }
    }

    /// Adds `delta` to the stored minute rows: read (from the in-memory mirror where it covers the minute),
    /// merge, write back, inside the ingest transaction so the aggregates never disagree with the raw events.
    /// Returns the rows as written.
    private func mergeAggregates(_ delta: AggregateTable, _ db: Database) throws -> [(AggregateKey, Aggregate)] {
        let select = try db.cachedStatement(sql: """
            SELECT count, sum, sum_squares, min, max, sketch FROM minute_aggregates
            WHERE minute = ? AND phase = ? AND variant = ? AND epoch = ? AND measure = ?
            """)
        let write = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO minute_aggregates (minute, phase, variant, epoch, measure, count, sum, sum_squares, min, max, sketch)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var written: [(AggregateKey, Aggregate)] = []
        written.reserveCapacity(delta.rows.count)
        for (key, added) in delta.rows {
            let keyArguments: StatementArguments = [key.minute.rawValue, key.phase, key.variant.rawValue, key.epoch, key.measure.rawValue]
            var stored: Aggregate?
            if case .some(let mirrored) = recent.withLock({ $0.stored(at: key) }) {
                stored = mirrored
            } else if let row = try Row.fetchOne(select, arguments: keyArguments) {
                stored = try AggregateRowCoding.aggregate(from: row, measure: key.measure)
            }
            var aggregate = added
            if var stored {
                stored.merge(added)
                aggregate = stored
            }
            try write.execute(arguments: keyArguments + AggregateRowCoding.values(of: aggregate))
            written.append((key, aggregate))
        }
        return written
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
