import GRDB

/// The SQLite schema, as numbered migrations. A landed migration is never edited: change the schema by
/// adding the next one. Plain DDL, independent of the app's types; the constraints carry the invariants.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("0001-create-events-and-aggregates") { db in
            try db.execute(sql: """
                CREATE TABLE events (
                    seq INTEGER PRIMARY KEY,
                    event_id TEXT CHECK (event_id IS NULL OR length(event_id) BETWEEN 1 AND 128),
                    type TEXT NOT NULL CHECK (type IN ('ai_interaction','feedback','session_start','session_end',
                        'assessment','completion','security_issue','integrity_violation','resource')),
                    occurred_at INTEGER NOT NULL,
                    received_at INTEGER NOT NULL,
                    user_id TEXT,
                    session_id TEXT,
                    phase TEXT NOT NULL,
                    variant TEXT NOT NULL CHECK (variant IN ('treatment','control')),
                    cost_usd REAL CHECK (cost_usd IS NULL OR cost_usd >= 0),
                    payload TEXT NOT NULL
                );
                -- received_at only grows, so this index is appended to, not a random insert.
                CREATE INDEX events_by_received_at ON events(received_at);

                CREATE TABLE minute_aggregates (
                    minute INTEGER NOT NULL,
                    phase TEXT NOT NULL,
                    variant TEXT NOT NULL CHECK (variant IN ('treatment','control')),
                    measure TEXT NOT NULL,
                    count INTEGER NOT NULL CHECK (count >= 0),
                    sum REAL NOT NULL,
                    min REAL,
                    max REAL,
                    sketch BLOB,
                    PRIMARY KEY (minute, phase, variant, measure)
                ) WITHOUT ROWID;

                CREATE TABLE user_days (
                    user_id TEXT NOT NULL,
                    day INTEGER NOT NULL,
                    phase TEXT NOT NULL,
                    variant TEXT NOT NULL CHECK (variant IN ('treatment','control')),
                    PRIMARY KEY (user_id, day)
                ) WITHOUT ROWID;

                CREATE TABLE sessions (
                    session_id TEXT PRIMARY KEY,
                    user_id TEXT,
                    started_at INTEGER NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE skill_scores (
                    user_id TEXT NOT NULL,
                    skill TEXT NOT NULL,
                    score REAL NOT NULL CHECK (score BETWEEN 0 AND 1),
                    assessed_at INTEGER NOT NULL,
                    PRIMARY KEY (user_id, skill)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("0002-create-keys-and-phase-history") { db in
            try db.execute(sql: """
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 128),
                    scope TEXT NOT NULL CHECK (scope IN ('ingest','read','operate','admin')),
                    hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
                    prefix TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    revoked_at INTEGER
                );

                CREATE TABLE phase_history (
                    seq INTEGER PRIMARY KEY,
                    phase TEXT NOT NULL CHECK (length(phase) > 0),
                    started_at INTEGER NOT NULL,
                    ended_at INTEGER CHECK (ended_at IS NULL OR ended_at >= started_at)
                );
                """)
        }
        migrator.registerMigration("0003-create-rollout-audience-and-audit") { db in
            try db.execute(sql: """
                CREATE TABLE rollout_state (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    rollout TEXT NOT NULL,
                    phase TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('running','paused','rolled_back','completed')),
                    version INTEGER NOT NULL CHECK (version >= 1)
                );

                CREATE TABLE checklist_signoffs (
                    phase TEXT NOT NULL,
                    item TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    note TEXT,
                    signed_at INTEGER NOT NULL,
                    PRIMARY KEY (phase, item)
                );

                CREATE TABLE invitations (
                    user_id TEXT PRIMARY KEY CHECK (length(user_id) BETWEEN 1 AND 128),
                    phase TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    invited_at INTEGER NOT NULL
                );
                CREATE INDEX invitations_by_phase ON invitations(phase);

                CREATE TABLE waitlist (
                    position INTEGER PRIMARY KEY AUTOINCREMENT,
                    user_id TEXT NOT NULL UNIQUE CHECK (length(user_id) BETWEEN 1 AND 128),
                    signed_up_at INTEGER NOT NULL,
                    admitted_at INTEGER,
                    admitted_phase TEXT,
                    CHECK ((admitted_at IS NULL) = (admitted_phase IS NULL))
                );

                CREATE TABLE audit_log (
                    seq INTEGER PRIMARY KEY,
                    at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    reason TEXT,
                    before TEXT,
                    after TEXT
                );
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                """)
        }
        migrator.registerMigration("0004-create-guardrails") { db in
            try db.execute(sql: """
                CREATE TABLE rule_states (
                    rule_id TEXT PRIMARY KEY,
                    state TEXT NOT NULL,
                    updated_at INTEGER NOT NULL
                );

                -- Rules see only data after this instant: a resume after a rollback starts a new epoch.
                CREATE TABLE rule_epoch (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    started_at INTEGER NOT NULL
                );

                CREATE TABLE alerts (
                    id INTEGER PRIMARY KEY,
                    rule_id TEXT NOT NULL,
                    firing INTEGER NOT NULL,
                    fingerprint TEXT NOT NULL,
                    severity TEXT NOT NULL CHECK (severity IN ('info','warning','critical')),
                    status TEXT NOT NULL CHECK (status IN ('firing','resolved')),
                    labels TEXT NOT NULL,
                    annotations TEXT NOT NULL,
                    starts_at INTEGER NOT NULL,
                    ends_at INTEGER,
                    silenced INTEGER NOT NULL DEFAULT 0 CHECK (silenced IN (0, 1)),
                    UNIQUE (rule_id, firing)
                );

                CREATE TABLE config_overrides (
                    rule_id TEXT PRIMARY KEY,
                    overrides TEXT NOT NULL,
                    sticky INTEGER NOT NULL CHECK (sticky IN (0, 1)),
                    set_at INTEGER NOT NULL
                );

                CREATE TABLE admissions (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    stopped INTEGER NOT NULL CHECK (stopped IN (0, 1)),
                    changed_at INTEGER NOT NULL,
                    reason TEXT
                );

                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY,
                    kind TEXT NOT NULL CHECK (kind IN ('webhook','alert')),
                    target TEXT NOT NULL,
                    signing TEXT,
                    body TEXT NOT NULL,
                    rule_id TEXT,
                    status TEXT NOT NULL CHECK (status IN ('pending','delivered','failed')),
                    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                    next_attempt_at INTEGER NOT NULL,
                    last_error TEXT,
                    created_at INTEGER NOT NULL,
                    delivered_at INTEGER
                );
                CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

                CREATE TABLE incidents (
                    id INTEGER PRIMARY KEY,
                    rule_id TEXT NOT NULL,
                    firing INTEGER NOT NULL,
                    opened_at INTEGER NOT NULL,
                    phase TEXT NOT NULL,
                    report TEXT NOT NULL,
                    UNIQUE (rule_id, firing)
                );

                CREATE TABLE silences (
                    id TEXT PRIMARY KEY,
                    matchers TEXT NOT NULL,
                    starts_at INTEGER NOT NULL,
                    ends_at INTEGER NOT NULL CHECK (ends_at > starts_at),
                    created_by TEXT NOT NULL,
                    comment TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("0005-aggregates-per-guardrail-epoch") { db in
            // The primary key gains the epoch, so the table is rebuilt; existing rows are epoch 0.
            try db.execute(sql: """
                CREATE TABLE minute_aggregates_by_epoch (
                    minute INTEGER NOT NULL,
                    phase TEXT NOT NULL,
                    variant TEXT NOT NULL CHECK (variant IN ('treatment','control')),
                    epoch INTEGER NOT NULL CHECK (epoch >= 0),
                    measure TEXT NOT NULL,
                    count INTEGER NOT NULL CHECK (count >= 0),
                    sum REAL NOT NULL,
                    min REAL,
                    max REAL,
                    sketch BLOB,
                    PRIMARY KEY (minute, phase, variant, epoch, measure)
                ) WITHOUT ROWID;
                INSERT INTO minute_aggregates_by_epoch (minute, phase, variant, epoch, measure, count, sum, min, max, sketch)
                    SELECT minute, phase, variant, 0, measure, count, sum, min, max, sketch FROM minute_aggregates;
                DROP TABLE minute_aggregates;
                ALTER TABLE minute_aggregates_by_epoch RENAME TO minute_aggregates;
                ALTER TABLE rule_epoch ADD COLUMN number INTEGER NOT NULL DEFAULT 1 CHECK (number >= 1);
                ALTER TABLE events ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
                """)
        }
        migrator.registerMigration("0006-alert-notification-times") { db in
            try db.execute(sql: "ALTER TABLE alerts ADD COLUMN last_notified_at INTEGER")
        }
        migrator.registerMigration("0007-key-rate-limits-and-expiry") { db in
            try db.execute(sql: """
                ALTER TABLE api_keys ADD COLUMN rate_limit REAL CHECK (rate_limit IS NULL OR rate_limit > 0);
                ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
                """)
        }
        migrator.registerMigration("0008-create-secrets") { db in
            try db.execute(sql: """
                CREATE TABLE secrets (
                    name TEXT PRIMARY KEY,
                    value BLOB NOT NULL CHECK (length(value) >= 32)
                );
                """)
        }
        migrator.registerMigration("0009-index-feedback-events") { db in
            // Partial: only feedback rows are indexed, so the ingest path of interactions pays nothing.
            try db.execute(sql: "CREATE INDEX events_feedback ON events(seq) WHERE type = 'feedback'")
        }
        migrator.registerMigration("0010-aggregate-sums-of-squares") { db in
            // Σx² for the variance behind a mean's confidence interval. NULL on rows written before: their
            // variance is unknown, and a window holding them has no mean interval rather than a wrong one.
            try db.execute(sql: "ALTER TABLE minute_aggregates ADD COLUMN sum_squares REAL CHECK (sum_squares IS NULL OR sum_squares >= 0)")
        }
        migrator.registerMigration("0011-create-plan-versions") { db in
            try db.execute(sql: """
                CREATE TABLE plan_versions (
                    number INTEGER PRIMARY KEY CHECK (number >= 1),
                    text TEXT NOT NULL,
                    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
                    actor TEXT NOT NULL,
                    reason TEXT,
                    applied_at INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("0012-payment-events") { db in
            // SQLite cannot change a CHECK constraint in place: the table is rebuilt with the new type allowed,
            // rows and their seq kept, and its indexes created again.
            try db.execute(sql: """
                CREATE TABLE events_with_payments (
                    seq INTEGER PRIMARY KEY,
                    event_id TEXT CHECK (event_id IS NULL OR length(event_id) BETWEEN 1 AND 128),
                    type TEXT NOT NULL CHECK (type IN ('ai_interaction','feedback','session_start','session_end',
                        'assessment','completion','security_issue','integrity_violation','resource','payment')),
                    occurred_at INTEGER NOT NULL,
                    received_at INTEGER NOT NULL,
                    user_id TEXT,
                    session_id TEXT,
                    phase TEXT NOT NULL,
                    variant TEXT NOT NULL CHECK (variant IN ('treatment','control')),
                    cost_usd REAL CHECK (cost_usd IS NULL OR cost_usd >= 0),
                    payload TEXT NOT NULL,
                    epoch INTEGER NOT NULL DEFAULT 0
                );
                INSERT INTO events_with_payments (seq, event_id, type, occurred_at, received_at, user_id, session_id, phase, variant,
                                                  cost_usd, payload, epoch)
                    SELECT seq, event_id, type, occurred_at, received_at, user_id, session_id, phase, variant, cost_usd, payload, epoch
                    FROM events;
                DROP TABLE events;
                ALTER TABLE events_with_payments RENAME TO events;
                CREATE INDEX events_by_received_at ON events(received_at);
                CREATE INDEX events_feedback ON events(seq) WHERE type = 'feedback';
                """)
        }
        migrator.registerMigration("0013-breakdown-dimensions") { db in
            // Segment rows live beside the whole population's, not in its table: the whole-population reads and
            // writes (every evaluator tick, every batch) keep their key, and a breakdown reads one dimension value.
            // user_levels starts from the assessments already stored (the latest with a level per user: SQLite
            // takes the bare columns from the row of max()).
            try db.execute(sql: """
                ALTER TABLE events ADD COLUMN region TEXT;
                CREATE TABLE segment_aggregates (
                    dimension TEXT NOT NULL CHECK (dimension IN ('feature','model','skillLevel','region')),
                    value TEXT NOT NULL CHECK (length(value) >= 1),
                    minute INTEGER NOT NULL,
                    phase TEXT NOT NULL,
                    variant TEXT NOT NULL CHECK (variant IN ('treatment','control')),
                    epoch INTEGER NOT NULL CHECK (epoch >= 0),
                    measure TEXT NOT NULL,
                    count INTEGER NOT NULL CHECK (count >= 0),
                    sum REAL NOT NULL,
                    sum_squares REAL CHECK (sum_squares IS NULL OR sum_squares >= 0),
                    min REAL,
                    max REAL,
                    sketch BLOB,
                    PRIMARY KEY (dimension, value, minute, phase, variant, epoch, measure)
                ) WITHOUT ROWID;
                -- The in-memory segment mirror loads its recent minutes when the store opens.
                CREATE INDEX segment_aggregates_by_minute ON segment_aggregates (minute);
                CREATE TABLE dimension_values (
                    dimension TEXT NOT NULL CHECK (dimension IN ('feature','model','skillLevel','region')),
                    value TEXT NOT NULL CHECK (length(value) >= 1),
                    admitted_at INTEGER NOT NULL,
                    PRIMARY KEY (dimension, value)
                );
                ALTER TABLE sessions ADD COLUMN ended_at INTEGER;
                CREATE INDEX sessions_open ON sessions (started_at) WHERE ended_at IS NULL;
                CREATE TABLE user_levels (
                    user_id TEXT PRIMARY KEY,
                    level TEXT NOT NULL,
                    assessed_at INTEGER NOT NULL
                );
                INSERT INTO user_levels (user_id, level, assessed_at)
                    SELECT user_id, json_extract(payload, '$.level'), max(occurred_at) FROM events
                    WHERE type = 'assessment' AND user_id IS NOT NULL AND json_extract(payload, '$.level') IS NOT NULL
                    GROUP BY user_id;
                """)
        }
        migrator.registerMigration("0014-index-completion-events") { db in
            // Learning paths read a window's completions; without the index that is a scan of every event.
            try db.execute(sql: "CREATE INDEX events_completions ON events(occurred_at) WHERE type = 'completion'")
        }
        migrator.registerMigration("0015-integrity-check-events") { db in
            // As in 0012: the table is rebuilt to widen its type CHECK, rows, seq and region kept, every index
            // created again.
            try db.execute(sql: """
                CREATE TABLE events_with_checks (
                    seq INTEGER PRIMARY KEY,
                    event_id TEXT CHECK (event_id IS NULL OR length(event_id) BETWEEN 1 AND 128),
                    type TEXT NOT NULL CHECK (type IN ('ai_interaction','feedback','session_start','session_end',
                        'assessment','completion','security_issue','integrity_violation','integrity_check','resource',
                        'payment')),
                    occurred_at INTEGER NOT NULL,
                    received_at INTEGER NOT NULL,
                    user_id TEXT,
                    session_id TEXT,
                    phase TEXT NOT NULL,
                    variant TEXT NOT NULL CHECK (variant IN ('treatment','control')),
                    cost_usd REAL CHECK (cost_usd IS NULL OR cost_usd >= 0),
                    payload TEXT NOT NULL,
                    epoch INTEGER NOT NULL DEFAULT 0,
                    region TEXT
                );
                INSERT INTO events_with_checks (seq, event_id, type, occurred_at, received_at, user_id, session_id, phase, variant,
                                                cost_usd, payload, epoch, region)
                    SELECT seq, event_id, type, occurred_at, received_at, user_id, session_id, phase, variant, cost_usd, payload,
                           epoch, region
                    FROM events;
                DROP TABLE events;
                ALTER TABLE events_with_checks RENAME TO events;
                CREATE INDEX events_by_received_at ON events(received_at);
                CREATE INDEX events_feedback ON events(seq) WHERE type = 'feedback';
                CREATE INDEX events_completions ON events(occurred_at) WHERE type = 'completion';
                """)
        }
        migrator.registerMigration("0016-index-audit-by-action") { db in
            // The overview reads the newest entries of each decision kind on every refresh.
            try db.execute(sql: "CREATE INDEX audit_log_by_action ON audit_log(action, seq)")
        }
        migrator.registerMigration("0017-aggregates-written-behind") { db in
            // Aggregate rows of the in-memory minutes are written behind the commit (see `AggregateBacklog`):
            // what an event added to them is replayed from the events after `through_seq` when the file is
            // opened, so each event keeps what its fold needs and was looked up at ingest, and is marked
            // `replayable`: a binary from before this migration, run on the file after it (a rolled-back
            // deploy), writes its events' rows in their commit and leaves them unmarked, so a later replay
            // skips them. Every row already stored is reflected in the aggregates.
            try db.execute(sql: """
                ALTER TABLE events ADD COLUMN replayable INTEGER CHECK (replayable IS NULL OR replayable = 1);
                ALTER TABLE events ADD COLUMN concurrent_sessions INTEGER CHECK (concurrent_sessions IS NULL OR concurrent_sessions >= 0);
                ALTER TABLE events ADD COLUMN session_seconds REAL CHECK (session_seconds IS NULL OR session_seconds >= 0);
                ALTER TABLE events ADD COLUMN skill_delta REAL;
                ALTER TABLE events ADD COLUMN segment_dimensions INTEGER CHECK (segment_dimensions IS NULL OR segment_dimensions > 0);
                ALTER TABLE events ADD COLUMN segment_values TEXT;
                CREATE TABLE aggregates_checkpoint (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    through_seq INTEGER NOT NULL CHECK (through_seq >= 0)
                );
                INSERT INTO aggregates_checkpoint (id, through_seq) SELECT 1, coalesce(max(seq), 0) FROM events;
                """)
        }
        return migrator
    }
}
