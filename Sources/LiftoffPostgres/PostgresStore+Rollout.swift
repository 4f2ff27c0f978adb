import Foundation
import LiftoffCore
import LiftoffStore
import PostgresNIO

extension PostgresStore {
    public func rolloutRecord() async throws -> RolloutRecord? {
        guard let row = try await run("SELECT rollout, phase, status, version FROM rollout_state WHERE id = 1").first else { return nil }
        let (rollout, phase, statusText, version) = try row.decode((String, String, String, Int).self)
        guard let status = RolloutStatus(rawValue: statusText) else {
            throw StoreError(.corrupt, "rollout_state has an unknown status")
        }
        return RolloutRecord(rollout: rollout, phase: phase, status: status, version: version)
    }

    public func createRollout(_ record: RolloutRecord, at date: Date) async throws {
        do {
            try await transaction { [self] connection in
                try await connection.query("""
                    INSERT INTO rollout_state (id, rollout, phase, status, version)
                    VALUES (1, \(record.rollout), \(record.phase), \(record.status.rawValue), \(record.version))
                    """, logger: logger)
                let at = Milliseconds.from(date)
                var open: String?
                for try await phase in try await connection.query(
                    "SELECT phase FROM phase_history WHERE ended_at IS NULL ORDER BY seq DESC LIMIT 1", logger: logger).decode(String.self) {
                    open = phase
                }
                if open != record.phase {
                    try await connection.query("UPDATE phase_history SET ended_at = \(at) WHERE ended_at IS NULL", logger: logger)
                    try await connection.query("INSERT INTO phase_history (phase, started_at) VALUES (\(record.phase), \(at))", logger: logger)
                }
            }
        } catch where Self.isUniqueViolation(error) {
            // Two nodes starting together both find no rollout; the second to write loses, as it should.
            throw StoreError(.conflict, "the rollout was created meanwhile; reload and try again")
        }
    }

    public func transition(to record: RolloutRecord, expectedVersion: Int, at date: Date, audit: AuditEntry, startsEpoch: Bool) async throws {
        try await transaction { [self] connection in
            try await Self.applyTransition(record, expectedVersion: expectedVersion, at: date, audit: audit, startsEpoch: startsEpoch,
                                           connection, logger: logger)
        }
    }

    static func applyTransition(_ record: RolloutRecord, expectedVersion: Int, at date: Date, audit: AuditEntry, startsEpoch: Bool,
                                _ connection: PostgresConnection, logger: Logger) async throws {
        // FOR UPDATE: a concurrent transition on another node waits here, then sees the new version and fails.
        var current: String?
        for try await phase in try await connection.query(
            "SELECT phase FROM rollout_state WHERE id = 1 AND version = \(expectedVersion) FOR UPDATE", logger: logger).decode(String.self) {
            current = phase
        }
        guard let current else {
            throw StoreError(.conflict, "the rollout changed meanwhile; reload and try again")
        }
        try await connection.query("""
            UPDATE rollout_state SET phase = \(record.phase), status = \(record.status.rawValue), version = \(record.version) WHERE id = 1
            """, logger: logger)
        let at = Milliseconds.from(date)
        if current != record.phase {
            try await connection.query("UPDATE phase_history SET ended_at = \(at) WHERE ended_at IS NULL", logger: logger)
            try await connection.query("INSERT INTO phase_history (phase, started_at) VALUES (\(record.phase), \(at))", logger: logger)
        } else if record.status == .completed {
            try await connection.query("UPDATE phase_history SET ended_at = \(at) WHERE ended_at IS NULL", logger: logger)
        }
        if startsEpoch {
            try await connection.query("""
                INSERT INTO rule_epoch (id, started_at, number) VALUES (1, \(at), 1)
                ON CONFLICT (id) DO UPDATE SET started_at = EXCLUDED.started_at, number = rule_epoch.number + 1
                """, logger: logger)
        }
        try await insert(audit, connection, logger: logger)
    }

    public func signOffs() async throws -> [SignOff] {
        try await run("SELECT phase, item, actor, note, signed_at FROM checklist_signoffs").map { row in
            let (phase, item, actor, note, signed) = try row.decode((String, String, String, String?, Int64).self)
            return SignOff(phase: phase, item: item, actor: actor, note: note, at: Milliseconds.date(signed))
        }
    }

    public func sign(_ signOff: SignOff, audit: AuditEntry) async throws {
        try await transaction { [self] connection in
            try await connection.query("""
                INSERT INTO checklist_signoffs (phase, item, actor, note, signed_at)
                VALUES (\(signOff.phase), \(signOff.item), \(signOff.actor), \(signOff.note), \(Milliseconds.from(signOff.at)))
                ON CONFLICT (phase, item) DO UPDATE SET actor = EXCLUDED.actor, note = EXCLUDED.note, signed_at = EXCLUDED.signed_at
                """, logger: logger)
            try await Self.insert(audit, connection, logger: logger)
        }
    }

    public func invitations() async throws -> [Invitation] {
        try await run("SELECT user_id, phase, invited_at FROM invitations ORDER BY invited_at, user_id").map { row in
            let (user, phase, invited) = try row.decode((String, String, Int64).self)
            return Invitation(userId: user, phase: phase, at: Milliseconds.date(invited))
        }
    }

    public func invite(_ userIds: [String], phase: String, max: Int, at date: Date, audit: AuditEntry) async throws -> [String] {
        try await transaction { [self] connection in
            // The cap holds across nodes: invitations to one phase are counted and added one transaction at a time.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('liftoff-invitations'))", logger: logger)
            var known = Set<String>()
            for try await user in try await connection.query(
                "SELECT user_id FROM invitations WHERE user_id = ANY(\(userIds))", logger: logger).decode(String.self) {
                known.insert(user)
            }
            var fresh: [String] = []
            for user in userIds where !known.contains(user) && !fresh.contains(user) { fresh.append(user) }
            var current = 0
            for try await count in try await connection.query(
                "SELECT COUNT(*)::bigint FROM invitations WHERE phase = \(phase)", logger: logger).decode(Int.self) {
                current = count
            }
            guard current + fresh.count <= max else {
                throw StoreError(.conflict, "phase '\(phase)' has \(current) of at most \(max) invitations; \(fresh.count) more would exceed it")
            }
            for user in fresh {
                try await connection.query("""
                    INSERT INTO invitations (user_id, phase, actor, invited_at) VALUES (\(user), \(phase), \(audit.actor), \(Milliseconds.from(date)))
                    """, logger: logger)
            }
            if !fresh.isEmpty { try await Self.insert(audit, connection, logger: logger) }
            return fresh
        }
    }

    public func waitlist() async throws -> [WaitlistEntry] {
        try await run("SELECT user_id, position, signed_up_at, admitted_at, admitted_phase FROM waitlist ORDER BY position")
            .map(Self.waitlistEntry(from:))
    }

    public func joinWaitlist(_ userId: String, at date: Date) async throws -> WaitlistEntry {
        try await transaction { [self] connection in
            try await connection.query("""
                INSERT INTO waitlist (user_id, signed_up_at) VALUES (\(userId), \(Milliseconds.from(date))) ON CONFLICT (user_id) DO NOTHING
                """, logger: logger)
            let rows = try await connection.query("""
                SELECT user_id, position, signed_up_at, admitted_at, admitted_phase FROM waitlist WHERE user_id = \(userId)
                """, logger: logger).collect()
            guard let row = rows.first else { throw StoreError(.corrupt, "a waitlist entry just written cannot be read back") }
            return try Self.waitlistEntry(from: row)
        }
    }

    public func admit(count: Int, cap: Int, phase: String, at date: Date, audit: AuditEntry) async throws -> [String] {
        try await transaction { [self] connection in
            // The cap holds across nodes: admissions are counted and made one transaction at a time.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('liftoff-admissions'))", logger: logger)
            var admitted = 0
            for try await number in try await connection.query(
                "SELECT COUNT(*)::bigint FROM waitlist WHERE admitted_phase = \(phase)", logger: logger).decode(Int.self) {
                admitted = number
            }
            let room = Swift.max(0, Swift.min(count, cap - admitted))
            guard room > 0 else { return [] }
            var users: [(user: String, position: Int)] = []
            for try await user in try await connection.query("""
                UPDATE waitlist SET admitted_at = \(Milliseconds.from(date)), admitted_phase = \(phase)
                WHERE position IN (SELECT position FROM waitlist WHERE admitted_at IS NULL ORDER BY position LIMIT \(room))
                RETURNING user_id, position
                """, logger: logger).decode((String, Int).self) {
                users.append(user)
            }
            if !users.isEmpty { try await Self.insert(audit, connection, logger: logger) }
            // RETURNING has no order of its own: the waitlist's is the promise.
            return users.sorted { $0.position < $1.position }.map(\.user)
        }
    }

    public func auditLog(limit: Int, before sequence: Int?, action: String?) async throws -> [AuditEntry] {
        var sql = SQLBuilder("SELECT seq, at, actor, action, reason, before, after FROM audit_log WHERE TRUE")
        if let sequence { sql.append(" AND seq < \(sql.bind(sequence))") }
        if let action { sql.append(" AND action = \(sql.bind(action))") }
        sql.append(" ORDER BY seq DESC LIMIT \(sql.bind(limit))")
        return try await run(sql.query).map { row in
            let (sequence, at, actor, action, reason, before, after) = try row.decode((Int, Int64, String, String, String?, String?, String?).self)
            return AuditEntry(sequence: sequence, at: Milliseconds.date(at), actor: actor, action: action, reason: reason,
                              before: before, after: after)
        }
    }

    public func auditLog(newest limit: Int, of actions: [String]) async throws -> [AuditEntry] {
        guard !actions.isEmpty else { return [] }
        // One index range per action (audit_log_by_action), each cut at `limit`, as on SQLite.
        var sql = SQLBuilder("")
        for (index, action) in actions.enumerated() {
            if index > 0 { sql.append(" UNION ALL ") }
            sql.append("(SELECT seq, at, actor, action, reason, before, after FROM audit_log WHERE action = \(sql.bind(action)) "
                       + "ORDER BY seq DESC LIMIT \(sql.bind(limit)))")
        }
        sql.append(" ORDER BY seq DESC")
        return try await run(sql.query).map { row in
            let (sequence, at, actor, action, reason, before, after) = try row.decode((Int, Int64, String, String, String?, String?, String?).self)
            return AuditEntry(sequence: sequence, at: Milliseconds.date(at), actor: actor, action: action, reason: reason,
                              before: before, after: after)
        }
    }

    public func appendAudit(_ entry: AuditEntry) async throws {
        try await transaction { [self] connection in try await Self.insert(entry, connection, logger: logger) }
    }

    static func insert(_ entry: AuditEntry, _ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO audit_log (at, actor, action, reason, before, after)
            VALUES (\(Milliseconds.from(entry.at)), \(entry.actor), \(entry.action), \(entry.reason), \(entry.before), \(entry.after))
            """, logger: logger)
    }

    private static func waitlistEntry(from row: PostgresRow) throws -> WaitlistEntry {
        let (user, position, signedUp, admitted, admittedPhase) = try row.decode((String, Int, Int64, Int64?, String?).self)
        return WaitlistEntry(userId: user, position: position, signedUpAt: Milliseconds.date(signedUp),
                             admittedAt: admitted.map(Milliseconds.date), admittedPhase: admittedPhase)
    }
}
