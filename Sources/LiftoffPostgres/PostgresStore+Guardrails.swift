import Foundation
import LiftoffCore
import LiftoffStore
import PostgresNIO

extension PostgresStore {
    public func ruleStates() async throws -> [String: RuleState] {
        var states: [String: RuleState] = [:]
        for row in try await run("SELECT rule_id, state FROM rule_states") {
            let (rule, text) = try row.decode((String, String).self)
            states[rule] = try JSONDecoder().decode(RuleState.self, from: Data(text.utf8))
        }
        return states
    }

    public func ruleEpoch() async throws -> RuleEpoch? {
        try await run("SELECT number, started_at FROM rule_epoch WHERE id = 1").first.map { row in
            let (number, started) = try row.decode((Int, Int64).self)
            return RuleEpoch(number: number, startedAt: Milliseconds.date(started))
        }
    }

    public func commit(_ commit: GuardrailCommit) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .millisecondsSince1970
        func json(_ value: some Encodable) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        // Encoded before the transaction: nothing to fail half-way inside it but the database.
        let states = try commit.states.map { ($0.key, try json($0.value)) }
        let alerts = try commit.newAlerts.map { ($0, try json($0.labels), try json($0.annotations)) }
        try await transaction { [self] connection in
            let at = Milliseconds.from(commit.at)
            if let change = commit.rollout {
                try await Self.applyTransition(change.next, expectedVersion: change.expectedVersion, at: commit.at, audit: change.audit,
                                               startsEpoch: false, connection, logger: logger)
            }
            for (ruleId, state) in states {
                try await connection.query("""
                    INSERT INTO rule_states (rule_id, state, updated_at) VALUES (\(ruleId), \(state), \(at))
                    ON CONFLICT (rule_id) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at
                    """, logger: logger)
            }
            for (alert, labels, annotations) in alerts {
                try await connection.query("""
                    INSERT INTO alerts (rule_id, firing, fingerprint, severity, status, labels, annotations, starts_at, silenced)
                    VALUES (\(alert.ruleId), \(alert.firing), \(alert.fingerprint), \(alert.severity.rawValue), 'firing', \(labels),
                            \(annotations), \(Milliseconds.from(alert.startsAt)), \(alert.silenced))
                    """, logger: logger)
            }
            for notified in commit.notifiedAlerts {
                try await connection.query("""
                    UPDATE alerts SET last_notified_at = \(at) WHERE rule_id = \(notified.ruleId) AND firing = \(notified.firing)
                    """, logger: logger)
            }
            for resolved in commit.resolvedAlerts {
                try await connection.query("""
                    UPDATE alerts SET status = 'resolved', ends_at = \(Milliseconds.from(resolved.at))
                    WHERE rule_id = \(resolved.ruleId) AND firing = \(resolved.firing)
                    """, logger: logger)
            }
            for override in commit.setOverrides {
                try await connection.query("""
                    INSERT INTO config_overrides (rule_id, overrides, sticky, set_at)
                    VALUES (\(override.ruleId), \(JSONValue.object(override.values).compactText), \(override.sticky), \(at))
                    ON CONFLICT (rule_id) DO UPDATE SET overrides = EXCLUDED.overrides, sticky = EXCLUDED.sticky, set_at = EXCLUDED.set_at
                    """, logger: logger)
            }
            for ruleId in commit.clearedOverrides {
                try await connection.query("DELETE FROM config_overrides WHERE rule_id = \(ruleId) AND NOT sticky", logger: logger)
            }
            if let change = commit.admissionsStopped {
                try await connection.query("""
                    INSERT INTO admissions (id, stopped, changed_at, reason) VALUES (1, \(change.stopped), \(at), \(change.reason))
                    ON CONFLICT (id) DO UPDATE SET stopped = EXCLUDED.stopped, changed_at = EXCLUDED.changed_at, reason = EXCLUDED.reason
                    """, logger: logger)
            }
            for message in commit.outbox { try await Self.insert(message, connection, logger: logger) }
            for incident in commit.incidents {
                try await connection.query("""
                    INSERT INTO incidents (rule_id, firing, opened_at, phase, report)
                    VALUES (\(incident.ruleId), \(incident.firing), \(Milliseconds.from(incident.openedAt)), \(incident.phase), \(incident.report))
                    """, logger: logger)
            }
            for entry in commit.audit { try await Self.insert(entry, connection, logger: logger) }
        }
    }

    static func insert(_ message: OutboxMessage, _ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO outbox (kind, target, signing, body, rule_id, status, attempts, next_attempt_at, created_at)
            VALUES (\(message.kind.rawValue), \(message.target), \(message.signing), \(message.body), \(message.ruleId),
                    \(message.status.rawValue), \(message.attempts), \(Milliseconds.from(message.nextAttemptAt)),
                    \(Milliseconds.from(message.createdAt)))
            """, logger: logger)
    }

    public func alerts(limit: Int) async throws -> [AlertRecord] {
        try await run("""
            SELECT id, rule_id, firing, fingerprint, severity, status, labels, annotations, starts_at, ends_at, silenced, last_notified_at
            FROM alerts ORDER BY (status = 'firing') DESC, id DESC LIMIT \(limit)
            """).map { row in
            let (id, rule, firing, fingerprint, severity, status, labels, annotations, starts, ends, silenced, notified) = try row.decode(
                (Int, String, Int, String, String, String, String, String, Int64, Int64?, Bool, Int64?).self)
            let decoder = JSONDecoder()
            return AlertRecord(
                id: id, ruleId: rule, firing: firing, fingerprint: fingerprint, severity: Rule.Severity(rawValue: severity) ?? .warning,
                resolved: status == "resolved", labels: try decoder.decode([String: String].self, from: Data(labels.utf8)),
                annotations: try decoder.decode([String: String].self, from: Data(annotations.utf8)),
                startsAt: Milliseconds.date(starts), endsAt: ends.map(Milliseconds.date), silenced: silenced,
                lastNotifiedAt: notified.map(Milliseconds.date))
        }
    }

    public func configOverrides() async throws -> [ConfigOverride] {
        try await run("SELECT rule_id, overrides, sticky, set_at FROM config_overrides ORDER BY set_at, rule_id").map { row in
            let (rule, text, sticky, setAt) = try row.decode((String, String, Bool, Int64).self)
            guard case .object(let values) = try JSONParser.parse(text) else {
                throw StoreError(.corrupt, "config_overrides holds a non-object")
            }
            return ConfigOverride(ruleId: rule, values: values, sticky: sticky, setAt: Milliseconds.date(setAt))
        }
    }

    public func admissionsStopped() async throws -> Bool {
        try await run("SELECT stopped FROM admissions WHERE id = 1").first?.decode(Bool.self) ?? false
    }

    static let outboxColumns = """
        id, kind, target, signing, body, rule_id, status, attempts, next_attempt_at, last_error, created_at, delivered_at
        """

    public func dueMessages(at date: Date, limit: Int) async throws -> [OutboxMessage] {
        try await run("""
            SELECT \(unescaped: Self.outboxColumns) FROM outbox
            WHERE status = 'pending' AND next_attempt_at <= \(Milliseconds.from(date)) ORDER BY next_attempt_at, id LIMIT \(limit)
            """).map(Self.message(from:))
    }

    public func messages(limit: Int) async throws -> [OutboxMessage] {
        try await run("SELECT \(unescaped: Self.outboxColumns) FROM outbox ORDER BY id DESC LIMIT \(limit)").map(Self.message(from:))
    }

    public func markDelivered(_ id: Int, at date: Date, attempts: Int) async throws {
        try await run("""
            UPDATE outbox SET status = 'delivered', attempts = \(attempts), delivered_at = \(Milliseconds.from(date)), last_error = NULL
            WHERE id = \(id)
            """)
    }

    public func markFailedAttempt(_ id: Int, attempts: Int, error: String, retryAt: Date?) async throws {
        if let retryAt {
            try await run("""
                UPDATE outbox SET attempts = \(attempts), last_error = \(error), next_attempt_at = \(Milliseconds.from(retryAt)) WHERE id = \(id)
                """)
        } else {
            try await run("UPDATE outbox SET status = 'failed', attempts = \(attempts), last_error = \(error) WHERE id = \(id)")
        }
    }

    private static func message(from row: PostgresRow) throws -> OutboxMessage {
        let (id, kind, target, signing, body, rule, status, attempts, next, lastError, created, delivered) = try row.decode(
            (Int, String, String, String?, String, String?, String, Int, Int64, String?, Int64, Int64?).self)
        return OutboxMessage(
            id: id, kind: OutboxMessage.Kind(rawValue: kind) ?? .webhook, target: target, signing: signing, body: body, ruleId: rule,
            status: OutboxMessage.Status(rawValue: status) ?? .pending, attempts: attempts, nextAttemptAt: Milliseconds.date(next),
            lastError: lastError, createdAt: Milliseconds.date(created), deliveredAt: delivered.map(Milliseconds.date))
    }

    public func incidents() async throws -> [IncidentRecord] {
        try await run("SELECT id, rule_id, firing, opened_at, phase, report FROM incidents ORDER BY id DESC").map(Self.incident(from:))
    }

    public func incident(_ id: Int) async throws -> IncidentRecord? {
        try await run("SELECT id, rule_id, firing, opened_at, phase, report FROM incidents WHERE id = \(id)").first.map(Self.incident(from:))
    }

    private static func incident(from row: PostgresRow) throws -> IncidentRecord {
        let (id, rule, firing, opened, phase, report) = try row.decode((Int, String, Int, Int64, String, String).self)
        return IncidentRecord(id: id, ruleId: rule, firing: firing, openedAt: Milliseconds.date(opened), phase: phase, report: report)
    }

    public func silences() async throws -> [SilenceRecord] {
        try await run("""
            SELECT id, matchers, starts_at, ends_at, created_by, comment, created_at FROM silences ORDER BY starts_at
            """).map { row in
            let (id, matchers, starts, ends, createdBy, comment, created) = try row.decode(
                (String, String, Int64, Int64, String, String, Int64).self)
            return SilenceRecord(id: id, matchers: try JSONDecoder().decode([String: String].self, from: Data(matchers.utf8)),
                                 startsAt: Milliseconds.date(starts), endsAt: Milliseconds.date(ends), createdBy: createdBy,
                                 comment: comment, createdAt: Milliseconds.date(created))
        }
    }

    public func addSilence(_ silence: SilenceRecord, audit: AuditEntry) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let matchers = String(decoding: try encoder.encode(silence.matchers), as: UTF8.self)
        try await transaction { [self] connection in
            try await connection.query("""
                INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment, created_at)
                VALUES (\(silence.id), \(matchers), \(Milliseconds.from(silence.startsAt)), \(Milliseconds.from(silence.endsAt)),
                        \(silence.createdBy), \(silence.comment), \(Milliseconds.from(silence.createdAt)))
                """, logger: logger)
            try await Self.insert(audit, connection, logger: logger)
        }
    }
}
