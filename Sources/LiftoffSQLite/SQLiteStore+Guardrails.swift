import Foundation
import GRDB
import LiftoffCore
import LiftoffStore

extension SQLiteStore {
    public func ruleStates() async throws -> [String: RuleState] {
        try await pool.read { db in
            var states: [String: RuleState] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT rule_id, state FROM rule_states") {
                let text: String = row["state"]
                states[row["rule_id"]] = try JSONDecoder().decode(RuleState.self, from: Data(text.utf8))
            }
            return states
        }
    }

    public func ruleEpoch() async throws -> RuleEpoch? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT number, started_at FROM rule_epoch WHERE id = 1").map { row in
                RuleEpoch(number: row["number"], startedAt: Milliseconds.date(row["started_at"]))
            }
        }
    }

    public func commit(_ commit: GuardrailCommit) async throws {
        try await pool.write { db in
            let at = Milliseconds.from(commit.at)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            encoder.dateEncodingStrategy = .millisecondsSince1970
            if let change = commit.rollout {
                try Self.applyTransition(change.next, expectedVersion: change.expectedVersion, at: commit.at, audit: change.audit, startsEpoch: false, db)
            }
            for (ruleId, state) in commit.states {
                try db.execute(sql: """
                    INSERT INTO rule_states (rule_id, state, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT (rule_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
                    """, arguments: [ruleId, String(decoding: try encoder.encode(state), as: UTF8.self), at])
            }
            for alert in commit.newAlerts {
                try db.execute(sql: """
                    INSERT INTO alerts (rule_id, firing, fingerprint, severity, status, labels, annotations, starts_at, silenced)
                    VALUES (?, ?, ?, ?, 'firing', ?, ?, ?, ?)
                    """, arguments: [alert.ruleId, alert.firing, alert.fingerprint, alert.severity.rawValue,
                                     String(decoding: try encoder.encode(alert.labels), as: UTF8.self),
                                     String(decoding: try encoder.encode(alert.annotations), as: UTF8.self),
                                     Milliseconds.from(alert.startsAt), alert.silenced])
            }
            for notified in commit.notifiedAlerts {
                try db.execute(sql: "UPDATE alerts SET last_notified_at = ? WHERE rule_id = ? AND firing = ?",
                               arguments: [at, notified.ruleId, notified.firing])
            }
            for resolved in commit.resolvedAlerts {
                try db.execute(sql: "UPDATE alerts SET status = 'resolved', ends_at = ? WHERE rule_id = ? AND firing = ?",
                               arguments: [Milliseconds.from(resolved.at), resolved.ruleId, resolved.firing])
            }
            for override in commit.setOverrides {
                try db.execute(sql: """
                    INSERT INTO config_overrides (rule_id, overrides, sticky, set_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (rule_id) DO UPDATE SET overrides = excluded.overrides, sticky = excluded.sticky, set_at = excluded.set_at
                    """, arguments: [override.ruleId, JSONValue.object(override.values).compactText, override.sticky, at])
            }
            for ruleId in commit.clearedOverrides {
                try db.execute(sql: "DELETE FROM config_overrides WHERE rule_id = ? AND sticky = 0", arguments: [ruleId])
            }
            if let change = commit.admissionsStopped {
                try db.execute(sql: """
                    INSERT INTO admissions (id, stopped, changed_at, reason) VALUES (1, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET stopped = excluded.stopped, changed_at = excluded.changed_at, reason = excluded.reason
                    """, arguments: [change.stopped, at, change.reason])
            }
            for message in commit.outbox { try Self.insert(message, db) }
            for incident in commit.incidents {
                try db.execute(sql: "INSERT INTO incidents (rule_id, firing, opened_at, phase, report) VALUES (?, ?, ?, ?, ?)",
                               arguments: [incident.ruleId, incident.firing, Milliseconds.from(incident.openedAt), incident.phase, incident.report])
            }
            for entry in commit.audit { try Self.insert(entry, db) }
        }
    }

    static func insert(_ message: OutboxMessage, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO outbox (kind, target, signing, body, rule_id, status, attempts, next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [message.kind.rawValue, message.target, message.signing, message.body, message.ruleId,
                             message.status.rawValue, message.attempts, Milliseconds.from(message.nextAttemptAt),
                             Milliseconds.from(message.createdAt)])
    }

    public func alerts(limit: Int) async throws -> [AlertRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, rule_id, firing, fingerprint, severity, status, labels, annotations, starts_at, ends_at, silenced, last_notified_at
                FROM alerts ORDER BY (status = 'firing') DESC, id DESC LIMIT ?
                """, arguments: [limit]).map { row in
                let decoder = JSONDecoder()
                let labels: String = row["labels"]
                let annotations: String = row["annotations"]
                return AlertRecord(
                    id: row["id"], ruleId: row["rule_id"], firing: row["firing"], fingerprint: row["fingerprint"],
                    severity: Rule.Severity(rawValue: row["severity"]) ?? .warning, resolved: (row["status"] as String) == "resolved",
                    labels: try decoder.decode([String: String].self, from: Data(labels.utf8)),
                    annotations: try decoder.decode([String: String].self, from: Data(annotations.utf8)),
                    startsAt: Milliseconds.date(row["starts_at"]), endsAt: (row["ends_at"] as Int64?).map(Milliseconds.date),
                    silenced: row["silenced"], lastNotifiedAt: (row["last_notified_at"] as Int64?).map(Milliseconds.date))
            }
        }
    }

    public func configOverrides() async throws -> [ConfigOverride] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT rule_id, overrides, sticky, set_at FROM config_overrides ORDER BY set_at, rule_id").map { row in
                let text: String = row["overrides"]
                guard case .object(let values) = try JSONParser.parse(text) else {
                    throw StoreError(.corrupt, "config_overrides holds a non-object")
                }
                return ConfigOverride(ruleId: row["rule_id"], values: values, sticky: row["sticky"], setAt: Milliseconds.date(row["set_at"]))
            }
        }
    }

    public func admissionsStopped() async throws -> Bool {
        try await pool.read { db in try Bool.fetchOne(db, sql: "SELECT stopped FROM admissions WHERE id = 1") ?? false }
    }

    public func dueMessages(at date: Date, limit: Int) async throws -> [OutboxMessage] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?
                """, arguments: [Milliseconds.from(date), limit]).map(Self.message(from:))
        }
    }

    public func messages(limit: Int) async throws -> [OutboxMessage] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox ORDER BY id DESC LIMIT ?", arguments: [limit]).map(Self.message(from:))
        }
    }

    public func markDelivered(_ id: Int, at date: Date, attempts: Int) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE outbox SET status = 'delivered', attempts = ?, delivered_at = ?, last_error = NULL WHERE id = ?",
                           arguments: [attempts, Milliseconds.from(date), id])
        }
    }

    public func markFailedAttempt(_ id: Int, attempts: Int, error: String, retryAt: Date?) async throws {
        try await pool.write { db in
            if let retryAt {
                try db.execute(sql: "UPDATE outbox SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
                               arguments: [attempts, error, Milliseconds.from(retryAt), id])
            } else {
                try db.execute(sql: "UPDATE outbox SET status = 'failed', attempts = ?, last_error = ? WHERE id = ?",
                               arguments: [attempts, error, id])
            }
        }
    }

    private static func message(from row: Row) -> OutboxMessage {
        OutboxMessage(
            id: row["id"], kind: OutboxMessage.Kind(rawValue: row["kind"]) ?? .webhook, target: row["target"], signing: row["signing"],
            body: row["body"], ruleId: row["rule_id"], status: OutboxMessage.Status(rawValue: row["status"]) ?? .pending,
            attempts: row["attempts"], nextAttemptAt: Milliseconds.date(row["next_attempt_at"]), lastError: row["last_error"],
            createdAt: Milliseconds.date(row["created_at"]), deliveredAt: (row["delivered_at"] as Int64?).map(Milliseconds.date))
    }

    public func incidents() async throws -> [IncidentRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM incidents ORDER BY id DESC").map(Self.incident(from:))
        }
    }

    public func incident(_ id: Int) async throws -> IncidentRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM incidents WHERE id = ?", arguments: [id]).map(Self.incident(from:))
        }
    }

    private static func incident(from row: Row) -> IncidentRecord {
        IncidentRecord(id: row["id"], ruleId: row["rule_id"], firing: row["firing"], openedAt: Milliseconds.date(row["opened_at"]),
                       phase: row["phase"], report: row["report"])
    }

    public func silences() async throws -> [SilenceRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM silences ORDER BY starts_at").map { row in
                let matchers: String = row["matchers"]
                return SilenceRecord(
                    id: row["id"], matchers: try JSONDecoder().decode([String: String].self, from: Data(matchers.utf8)),
                    startsAt: Milliseconds.date(row["starts_at"]), endsAt: Milliseconds.date(row["ends_at"]),
                    createdBy: row["created_by"], comment: row["comment"], createdAt: Milliseconds.date(row["created_at"]))
            }
        }
    }

    public func addSilence(_ silence: SilenceRecord, audit: AuditEntry) async throws {
        try await pool.write { db in
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            try db.execute(sql: """
                INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [silence.id, String(decoding: try encoder.encode(silence.matchers), as: UTF8.self),
                                 Milliseconds.from(silence.startsAt), Milliseconds.from(silence.endsAt), silence.createdBy,
                                 silence.comment, Milliseconds.from(silence.createdAt)])
            try Self.insert(audit, db)
        }
    }

    public func failingInteractions(phase: String, since: Date, limit: Int) async throws -> [[String: JSONValue]] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT occurred_at, user_id, session_id, payload FROM events
                WHERE type = 'ai_interaction' AND phase = ? AND variant = 'treatment' AND received_at >= ?
                  AND json_extract(payload, '$.outcome') != 'ok'
                ORDER BY seq DESC LIMIT ?
                """, arguments: [phase, Milliseconds.from(since), limit]).map(Self.eventObject)
        }
    }

    public func recentEvents(of type: EventType, phase: String, since: Date, limit: Int) async throws -> [[String: JSONValue]] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT occurred_at, user_id, session_id, payload FROM events
                WHERE type = ? AND phase = ? AND variant = 'treatment' AND received_at >= ?
                ORDER BY seq DESC LIMIT ?
                """, arguments: [type.rawValue, phase, Milliseconds.from(since), limit]).map(Self.eventObject)
        }
    }

    /// A stored event as the ingest API's JSON: its payload's fields with its time, user and session.
    private static func eventObject(_ row: Row) throws -> [String: JSONValue] {
        let payload: String = row["payload"]
        guard case .object(var object) = try JSONParser.parse(payload) else { return [:] }
        object["timestamp"] = .string(Timestamp.format(Milliseconds.date(row["occurred_at"])))
        if let user: String = row["user_id"] { object["userId"] = .string(user) }
        if let session: String = row["session_id"] { object["sessionId"] = .string(session) }
        return object
    }
}
