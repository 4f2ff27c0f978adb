import Foundation
import GRDB
import LiftoffCore
import LiftoffStore

extension SQLiteStore {
    public func rolloutRecord() async throws -> RolloutRecord? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT rollout, phase, status, version FROM rollout_state WHERE id = 1") else {
                return nil
            }
            guard let status = RolloutStatus(rawValue: row["status"]) else {
                throw StoreError(.corrupt, "rollout_state has an unknown status")
            }
            return RolloutRecord(rollout: row["rollout"], phase: row["phase"], status: status, version: row["version"])
        }
    }

    public func createRollout(_ record: RolloutRecord, at date: Date) async throws {
        do {
            try await create(record, at: date)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            // Two servers starting on one store both found no rollout; the second to write loses, as on PostgreSQL.
            throw StoreError(.conflict, "the rollout was created meanwhile; reload and try again")
        }
    }

    private func create(_ record: RolloutRecord, at date: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO rollout_state (id, rollout, phase, status, version) VALUES (1, ?, ?, ?, ?)",
                           arguments: [record.rollout, record.phase, record.status.rawValue, record.version])
            let at = Milliseconds.from(date)
            let open = try String.fetchOne(db, sql: "SELECT phase FROM phase_history WHERE ended_at IS NULL ORDER BY seq DESC LIMIT 1")
            if open != record.phase {
                try db.execute(sql: "UPDATE phase_history SET ended_at = ? WHERE ended_at IS NULL", arguments: [at])
                try db.execute(sql: "INSERT INTO phase_history (phase, started_at) VALUES (?, ?)", arguments: [record.phase, at])
            }
        }
    }

    public func transition(to record: RolloutRecord, expectedVersion: Int, at date: Date, audit: AuditEntry, startsEpoch: Bool) async throws {
        try await pool.write { db in
            try Self.applyTransition(record, expectedVersion: expectedVersion, at: date, audit: audit, startsEpoch: startsEpoch, db)
        }
    }

    static func applyTransition(_ record: RolloutRecord, expectedVersion: Int, at date: Date, audit: AuditEntry,
                                startsEpoch: Bool, _ db: Database) throws {
        let current = try String.fetchOne(db, sql: "SELECT phase FROM rollout_state WHERE id = 1 AND version = ?",
                                          arguments: [expectedVersion])
        guard let current else {
            throw StoreError(.conflict, "the rollout changed meanwhile; reload and try again")
        }
        try db.execute(sql: "UPDATE rollout_state SET phase = ?, status = ?, version = ? WHERE id = 1",
                       arguments: [record.phase, record.status.rawValue, record.version])
        let at = Milliseconds.from(date)
        if current != record.phase {
            try db.execute(sql: "UPDATE phase_history SET ended_at = ? WHERE ended_at IS NULL", arguments: [at])
            try db.execute(sql: "INSERT INTO phase_history (phase, started_at) VALUES (?, ?)", arguments: [record.phase, at])
        } else if record.status == .completed {
            try db.execute(sql: "UPDATE phase_history SET ended_at = ? WHERE ended_at IS NULL", arguments: [at])
        }
        if startsEpoch {
            try db.execute(sql: """
                INSERT INTO rule_epoch (id, started_at, number) VALUES (1, ?, 1)
                ON CONFLICT (id) DO UPDATE SET started_at = excluded.started_at, number = rule_epoch.number + 1
                """, arguments: [at])
        }
        try insert(audit, db)
    }

    public func signOffs() async throws -> [SignOff] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT phase, item, actor, note, signed_at FROM checklist_signoffs").map { row in
                SignOff(phase: row["phase"], item: row["item"], actor: row["actor"], note: row["note"],
                        at: Milliseconds.date(row["signed_at"]))
            }
        }
    }

    public func sign(_ signOff: SignOff, audit: AuditEntry) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO checklist_signoffs (phase, item, actor, note, signed_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (phase, item) DO UPDATE SET actor = excluded.actor, note = excluded.note, signed_at = excluded.signed_at
                """, arguments: [signOff.phase, signOff.item, signOff.actor, signOff.note, Milliseconds.from(signOff.at)])
            try Self.insert(audit, db)
        }
    }

    public func invitations() async throws -> [Invitation] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT user_id, phase, invited_at FROM invitations ORDER BY invited_at, user_id").map { row in
                Invitation(userId: row["user_id"], phase: row["phase"], at: Milliseconds.date(row["invited_at"]))
            }
        }
    }

    public func invite(_ userIds: [String], phase: String, max: Int, at date: Date, audit: AuditEntry) async throws -> [String] {
        try await pool.write { db in
            var fresh: [String] = []
            for user in userIds where !fresh.contains(user) {
                let known = try Bool.fetchOne(db, sql: "SELECT 1 FROM invitations WHERE user_id = ?", arguments: [user]) ?? false
                if !known { fresh.append(user) }
            }
            let current = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM invitations WHERE phase = ?", arguments: [phase]) ?? 0
            guard current + fresh.count <= max else {
                throw StoreError(.conflict, "phase '\(phase)' has \(current) of at most \(max) invitations; \(fresh.count) more would exceed it")
            }
            for user in fresh {
                try db.execute(sql: "INSERT INTO invitations (user_id, phase, actor, invited_at) VALUES (?, ?, ?, ?)",
                               arguments: [user, phase, audit.actor, Milliseconds.from(date)])
            }
            if !fresh.isEmpty { try Self.insert(audit, db) }
            return fresh
        }
    }

    public func waitlist() async throws -> [WaitlistEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT user_id, position, signed_up_at, admitted_at, admitted_phase FROM waitlist ORDER BY position")
                .map(Self.waitlistEntry(from:))
        }
    }

    public func joinWaitlist(_ userId: String, at date: Date) async throws -> WaitlistEntry {
        try await pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO waitlist (user_id, signed_up_at) VALUES (?, ?)",
                           arguments: [userId, Milliseconds.from(date)])
            let row = try Row.fetchOne(db, sql: """
                SELECT user_id, position, signed_up_at, admitted_at, admitted_phase FROM waitlist WHERE user_id = ?
                """, arguments: [userId])!
            return Self.waitlistEntry(from: row)
        }
    }

    public func admit(count: Int, cap: Int, phase: String, at date: Date, audit: AuditEntry) async throws -> [String] {
        try await pool.write { db in
            let admitted = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM waitlist WHERE admitted_phase = ?", arguments: [phase]) ?? 0
            let room = Swift.max(0, Swift.min(count, cap - admitted))
            guard room > 0 else { return [] }
            let users = try String.fetchAll(db, sql: "SELECT user_id FROM waitlist WHERE admitted_at IS NULL ORDER BY position LIMIT ?",
                                            arguments: [room])
            for user in users {
                try db.execute(sql: "UPDATE waitlist SET admitted_at = ?, admitted_phase = ? WHERE user_id = ?",
                               arguments: [Milliseconds.from(date), phase, user])
            }
            if !users.isEmpty { try Self.insert(audit, db) }
            return users
        }
    }

    public func auditLog(limit: Int, before sequence: Int?, action: String?) async throws -> [AuditEntry] {
        try await pool.read { db in
            var sql = "SELECT seq, at, actor, action, reason, before, after FROM audit_log WHERE 1 = 1"
            var arguments: StatementArguments = []
            if let sequence {
                sql += " AND seq < ?"
                arguments += [sequence]
            }
            if let action {
                sql += " AND action = ?"
                arguments += [action]
            }
            sql += " ORDER BY seq DESC LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                AuditEntry(sequence: row["seq"], at: Milliseconds.date(row["at"]), actor: row["actor"], action: row["action"],
                           reason: row["reason"], before: row["before"], after: row["after"])
            }
        }
    }

    public func auditLog(newest limit: Int, of actions: [String]) async throws -> [AuditEntry] {
        guard !actions.isEmpty else { return [] }
        // One index range per action (audit_log_by_action), each cut at `limit`: a window function over the
        // actions would rank every entry of a busy one (guardrail.fired) first.
        let branch = "SELECT * FROM (SELECT seq, at, actor, action, reason, before, after FROM audit_log WHERE action = ? ORDER BY seq DESC LIMIT ?)"
        let sql = Array(repeating: branch, count: actions.count).joined(separator: " UNION ALL ") + " ORDER BY seq DESC"
        var arguments: StatementArguments = []
        for action in actions { arguments += [action, limit] }
        return try await pool.read { [arguments] db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                AuditEntry(sequence: row["seq"], at: Milliseconds.date(row["at"]), actor: row["actor"], action: row["action"],
                           reason: row["reason"], before: row["before"], after: row["after"])
            }
        }
    }

    public func appendAudit(_ entry: AuditEntry) async throws {
        try await pool.write { db in try Self.insert(entry, db) }
    }

    static func insert(_ entry: AuditEntry, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO audit_log (at, actor, action, reason, before, after) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [Milliseconds.from(entry.at), entry.actor, entry.action, entry.reason, entry.before, entry.after])
    }

    private static func waitlistEntry(from row: Row) -> WaitlistEntry {
        WaitlistEntry(userId: row["user_id"], position: row["position"], signedUpAt: Milliseconds.date(row["signed_up_at"]),
                      admittedAt: (row["admitted_at"] as Int64?).map(Milliseconds.date), admittedPhase: row["admitted_phase"])
    }
}
