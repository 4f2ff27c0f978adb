/// The PostgreSQL schema, as numbered migrations of its own (the SQLite engine has its own list). A landed
/// migration is never edited: change the schema by adding the next one. Plain DDL; the constraints carry the
/// invariants, as in the SQLite schema, with two differences that several nodes need: event ids are unique in
/// the database itself, and minute aggregates are partials per node, merged when read.
enum PostgresMigrations {
    struct Migration: Sendable {
        var number: Int
        var name: String
        var sql: String
    }

    /// Every migration, in order. Each runs in its own transaction with its row in `schema_migrations`.
    static let all: [Migration] = [
        Migration(number: 1, name: "create-events-and-aggregates", sql: """
            CREATE TABLE events (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                event_id TEXT CHECK (event_id IS NULL OR length(event_id) BETWEEN 1 AND 128),
                type TEXT NOT NULL CHECK (type IN ('ai_interaction','feedback','session_start','session_end',
                    'assessment','completion','security_issue','integrity_violation','resource')),
                occurred_at BIGINT NOT NULL,
                received_at BIGINT NOT NULL,
                user_id TEXT,
                session_id TEXT,
                phase TEXT NOT NULL,
                variant TEXT NOT NULL CHECK (variant IN ('treatment','control')),
                epoch INTEGER NOT NULL DEFAULT 0 CHECK (epoch >= 0),
                cost_usd DOUBLE PRECISION CHECK (cost_usd IS NULL OR cost_usd >= 0),
                -- Copied from an AI interaction's payload at ingest, so the cost and failure reports read columns.
                model TEXT,
                tokens BIGINT CHECK (tokens IS NULL OR tokens >= 0),
                outcome TEXT,
                -- JSON as text: parsing it into jsonb was a fifth of PostgreSQL's insert work per event; the rare
                -- queries into it (feedback filters, redaction) cast it.
                payload TEXT NOT NULL
            );
            -- A retry is recognised by the database, whichever node it reaches, for as long as the event is kept.
            CREATE UNIQUE INDEX events_event_id ON events (event_id) WHERE event_id IS NOT NULL;
            CREATE INDEX events_by_received_at ON events (received_at);
            CREATE INDEX events_feedback ON events (seq) WHERE type = 'feedback';

            -- One row per node for each key: a node merges into its own rows only, so nodes never contend for a
            -- row, and a read merges the nodes' partials.
            CREATE TABLE minute_aggregates (
                minute BIGINT NOT NULL,
                phase TEXT NOT NULL,
                variant TEXT NOT NULL CHECK (variant IN ('treatment','control')),
                epoch INTEGER NOT NULL CHECK (epoch >= 0),
                measure TEXT NOT NULL,
                node TEXT NOT NULL,
                count BIGINT NOT NULL CHECK (count >= 0),
                sum DOUBLE PRECISION NOT NULL,
                sum_squares DOUBLE PRECISION CHECK (sum_squares IS NULL OR sum_squares >= 0),
                min DOUBLE PRECISION,
                max DOUBLE PRECISION,
                sketch BYTEA,
                PRIMARY KEY (minute, phase, variant, epoch, measure, node)
            );

            CREATE TABLE user_days (
                user_id TEXT NOT NULL,
                day BIGINT NOT NULL,
                phase TEXT NOT NULL,
                variant TEXT NOT NULL CHECK (variant IN ('treatment','control')),
                PRIMARY KEY (user_id, day)
            );

            CREATE TABLE sessions (
                session_id TEXT PRIMARY KEY,
                user_id TEXT,
                started_at BIGINT NOT NULL
            );

            CREATE TABLE skill_scores (
                user_id TEXT NOT NULL,
                skill TEXT NOT NULL,
                score DOUBLE PRECISION NOT NULL CHECK (score BETWEEN 0 AND 1),
                assessed_at BIGINT NOT NULL,
                PRIMARY KEY (user_id, skill)
            );
            """),
        Migration(number: 2, name: "create-keys-secrets-and-phase-history", sql: """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 128),
                scope TEXT NOT NULL CHECK (scope IN ('ingest','read','operate','admin')),
                hash BYTEA NOT NULL UNIQUE CHECK (length(hash) = 32),
                prefix TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                revoked_at BIGINT,
                rate_limit DOUBLE PRECISION CHECK (rate_limit IS NULL OR rate_limit > 0),
                expires_at BIGINT
            );

            CREATE TABLE secrets (
                name TEXT PRIMARY KEY,
                value BYTEA NOT NULL CHECK (length(value) >= 32)
            );

            CREATE TABLE phase_history (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                phase TEXT NOT NULL CHECK (length(phase) > 0),
                started_at BIGINT NOT NULL,
                ended_at BIGINT CHECK (ended_at IS NULL OR ended_at >= started_at)
            );
            """),
        Migration(number: 3, name: "create-rollout-audience-and-audit", sql: """
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
                signed_at BIGINT NOT NULL,
                PRIMARY KEY (phase, item)
            );

            CREATE TABLE invitations (
                user_id TEXT PRIMARY KEY CHECK (length(user_id) BETWEEN 1 AND 128),
                phase TEXT NOT NULL,
                actor TEXT NOT NULL,
                invited_at BIGINT NOT NULL
            );
            CREATE INDEX invitations_by_phase ON invitations (phase);

            CREATE TABLE waitlist (
                position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                user_id TEXT NOT NULL UNIQUE CHECK (length(user_id) BETWEEN 1 AND 128),
                signed_up_at BIGINT NOT NULL,
                admitted_at BIGINT,
                admitted_phase TEXT,
                CHECK ((admitted_at IS NULL) = (admitted_phase IS NULL))
            );

            CREATE TABLE audit_log (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at BIGINT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                reason TEXT,
                before TEXT,
                after TEXT
            );
            CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
            CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
                FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
            """),
        Migration(number: 4, name: "create-guardrails", sql: """
            CREATE TABLE rule_states (
                rule_id TEXT PRIMARY KEY,
                state TEXT NOT NULL,
                updated_at BIGINT NOT NULL
            );

            -- Rules see only data after this instant: a resume after a rollback starts a new epoch.
            CREATE TABLE rule_epoch (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                started_at BIGINT NOT NULL,
                number INTEGER NOT NULL DEFAULT 1 CHECK (number >= 1)
            );

            CREATE TABLE alerts (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                rule_id TEXT NOT NULL,
                firing INTEGER NOT NULL,
                fingerprint TEXT NOT NULL,
                severity TEXT NOT NULL CHECK (severity IN ('info','warning','critical')),
                status TEXT NOT NULL CHECK (status IN ('firing','resolved')),
                labels TEXT NOT NULL,
                annotations TEXT NOT NULL,
                starts_at BIGINT NOT NULL,
                ends_at BIGINT,
                silenced BOOLEAN NOT NULL DEFAULT FALSE,
                last_notified_at BIGINT,
                UNIQUE (rule_id, firing)
            );

            CREATE TABLE config_overrides (
                rule_id TEXT PRIMARY KEY,
                overrides TEXT NOT NULL,
                sticky BOOLEAN NOT NULL,
                set_at BIGINT NOT NULL
            );

            CREATE TABLE admissions (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                stopped BOOLEAN NOT NULL,
                changed_at BIGINT NOT NULL,
                reason TEXT
            );

            CREATE TABLE outbox (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('webhook','alert')),
                target TEXT NOT NULL,
                signing TEXT,
                body TEXT NOT NULL,
                rule_id TEXT,
                status TEXT NOT NULL CHECK (status IN ('pending','delivered','failed')),
                attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                next_attempt_at BIGINT NOT NULL,
                last_error TEXT,
                created_at BIGINT NOT NULL,
                delivered_at BIGINT
            );
            CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

            CREATE TABLE incidents (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                rule_id TEXT NOT NULL,
                firing INTEGER NOT NULL,
                opened_at BIGINT NOT NULL,
                phase TEXT NOT NULL,
                report TEXT NOT NULL,
                UNIQUE (rule_id, firing)
            );

            CREATE TABLE silences (
                id TEXT PRIMARY KEY,
                matchers TEXT NOT NULL,
                starts_at BIGINT NOT NULL,
                ends_at BIGINT NOT NULL CHECK (ends_at > starts_at),
                created_by TEXT NOT NULL,
                comment TEXT NOT NULL,
                created_at BIGINT NOT NULL
            );
            """),
        Migration(number: 5, name: "create-cluster-nodes", sql: """
            -- Each node's heartbeat. Who leads is not stored here but read from pg_locks (the advisory lock the
            -- leader's heartbeat connection holds), so a dead leader never looks alive.
            CREATE TABLE cluster_nodes (
                id TEXT PRIMARY KEY,
                started_at BIGINT NOT NULL,
                last_seen BIGINT NOT NULL,
                backend_pid INTEGER NOT NULL,
                version INTEGER NOT NULL CHECK (version >= 0)
            );
            CREATE INDEX cluster_nodes_by_last_seen ON cluster_nodes (last_seen);
            """),
        Migration(number: 6, name: "notify-state-changes", sql: """
            -- Every change of what /v1/evaluate and the key ring read is announced on liftoff_state, delivered at
            -- commit: the nodes re-read at once instead of at their next tick. In the database, so no writer can
            -- forget it.
            CREATE FUNCTION liftoff_notify_state() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN PERFORM pg_notify('liftoff_state', TG_TABLE_NAME); RETURN NULL; END $$;
            CREATE TRIGGER rollout_state_changed AFTER INSERT OR UPDATE OR DELETE ON rollout_state
                FOR EACH STATEMENT EXECUTE FUNCTION liftoff_notify_state();
            CREATE TRIGGER invitations_changed AFTER INSERT OR UPDATE OR DELETE ON invitations
                FOR EACH STATEMENT EXECUTE FUNCTION liftoff_notify_state();
            CREATE TRIGGER waitlist_changed AFTER INSERT OR UPDATE OR DELETE ON waitlist
                FOR EACH STATEMENT EXECUTE FUNCTION liftoff_notify_state();
            CREATE TRIGGER config_overrides_changed AFTER INSERT OR UPDATE OR DELETE ON config_overrides
                FOR EACH STATEMENT EXECUTE FUNCTION liftoff_notify_state();
            CREATE TRIGGER admissions_changed AFTER INSERT OR UPDATE OR DELETE ON admissions
                FOR EACH STATEMENT EXECUTE FUNCTION liftoff_notify_state();
            CREATE TRIGGER checklist_signoffs_changed AFTER INSERT OR UPDATE OR DELETE ON checklist_signoffs
                FOR EACH STATEMENT EXECUTE FUNCTION liftoff_notify_state();
            CREATE TRIGGER rule_epoch_changed AFTER INSERT OR UPDATE OR DELETE ON rule_epoch
                FOR EACH STATEMENT EXECUTE FUNCTION liftoff_notify_state();
            CREATE TRIGGER api_keys_changed AFTER INSERT OR UPDATE OR DELETE ON api_keys
                FOR EACH STATEMENT EXECUTE FUNCTION liftoff_notify_state();
            """),
        Migration(number: 7, name: "create-plan-versions", sql: """
            CREATE TABLE plan_versions (
                number INTEGER PRIMARY KEY CHECK (number >= 1),
                text TEXT NOT NULL,
                sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
                actor TEXT NOT NULL,
                reason TEXT,
                applied_at BIGINT NOT NULL
            );
            -- A new version reaches every node at once, like any other change of shared state.
            CREATE TRIGGER plan_versions_changed AFTER INSERT OR UPDATE OR DELETE ON plan_versions
                FOR EACH STATEMENT EXECUTE FUNCTION liftoff_notify_state();
            """),
        Migration(number: 8, name: "identifier-keys-collate-c", sql: """
            -- The keys ingest looks up and inserts into on every event compare bytes, not the database's
            -- language rules: ids are only ever tested for equality, and a B-tree under a locale collation
            -- spent a tenth of PostgreSQL's insert work in strcoll. Equality is the same under both (each is
            -- deterministic). A collation-only change keeps the rows and rebuilds the indexes.
            ALTER TABLE events ALTER COLUMN event_id TYPE TEXT COLLATE "C";
            ALTER TABLE minute_aggregates ALTER COLUMN phase TYPE TEXT COLLATE "C",
                ALTER COLUMN variant TYPE TEXT COLLATE "C", ALTER COLUMN measure TYPE TEXT COLLATE "C",
                ALTER COLUMN node TYPE TEXT COLLATE "C";
            ALTER TABLE user_days ALTER COLUMN user_id TYPE TEXT COLLATE "C";
            ALTER TABLE sessions ALTER COLUMN session_id TYPE TEXT COLLATE "C";
            ALTER TABLE skill_scores ALTER COLUMN user_id TYPE TEXT COLLATE "C", ALTER COLUMN skill TYPE TEXT COLLATE "C";
            """),
        Migration(number: 9, name: "payment-events", sql: """
            ALTER TABLE events DROP CONSTRAINT events_type_check;
            ALTER TABLE events ADD CONSTRAINT events_type_check CHECK (type IN ('ai_interaction','feedback','session_start',
                'session_end','assessment','completion','security_issue','integrity_violation','resource','payment'));
            """),
        // Segment rows beside the whole population's (see SQLite's 0013), one partial per node as there.
        Migration(number: 10, name: "breakdown-dimensions", sql: """
            ALTER TABLE events ADD COLUMN region TEXT;
            CREATE TABLE segment_aggregates (
                dimension TEXT COLLATE "C" NOT NULL CHECK (dimension IN ('feature','model','skillLevel','region')),
                value TEXT COLLATE "C" NOT NULL CHECK (length(value) >= 1),
                minute BIGINT NOT NULL,
                phase TEXT COLLATE "C" NOT NULL,
                variant TEXT COLLATE "C" NOT NULL CHECK (variant IN ('treatment','control')),
                epoch INTEGER NOT NULL CHECK (epoch >= 0),
                measure TEXT COLLATE "C" NOT NULL,
                node TEXT COLLATE "C" NOT NULL,
                count BIGINT NOT NULL CHECK (count >= 0),
                sum DOUBLE PRECISION NOT NULL,
                sum_squares DOUBLE PRECISION CHECK (sum_squares IS NULL OR sum_squares >= 0),
                min DOUBLE PRECISION,
                max DOUBLE PRECISION,
                sketch BYTEA,
                PRIMARY KEY (dimension, value, minute, phase, variant, epoch, measure, node)
            );
            CREATE INDEX segment_aggregates_by_node ON segment_aggregates (node, minute);
            CREATE TABLE dimension_values (
                dimension TEXT COLLATE "C" NOT NULL CHECK (dimension IN ('feature','model','skillLevel','region')),
                value TEXT COLLATE "C" NOT NULL CHECK (length(value) >= 1),
                admitted_at BIGINT NOT NULL,
                PRIMARY KEY (dimension, value)
            );
            ALTER TABLE sessions ADD COLUMN ended_at BIGINT;
            CREATE INDEX sessions_open ON sessions (started_at) WHERE ended_at IS NULL;
            CREATE TABLE user_levels (
                user_id TEXT COLLATE "C" PRIMARY KEY,
                level TEXT NOT NULL,
                assessed_at BIGINT NOT NULL
            );
            INSERT INTO user_levels (user_id, level, assessed_at)
                SELECT DISTINCT ON (user_id) user_id, payload::jsonb ->> 'level', occurred_at FROM events
                WHERE type = 'assessment' AND user_id IS NOT NULL AND payload::jsonb ->> 'level' IS NOT NULL
                ORDER BY user_id, occurred_at DESC;
            """),
        // Learning paths read a window's completions (see SQLite's 0014).
        Migration(number: 11, name: "index-completion-events", sql: """
            CREATE INDEX events_completions ON events (occurred_at) WHERE type = 'completion';
            """),
        Migration(number: 12, name: "integrity-check-events", sql: """
            ALTER TABLE events DROP CONSTRAINT events_type_check;
            ALTER TABLE events ADD CONSTRAINT events_type_check CHECK (type IN ('ai_interaction','feedback','session_start',
                'session_end','assessment','completion','security_issue','integrity_violation','integrity_check','resource',
                'payment'));
            """),
        // The overview reads the newest entries of each decision kind on every refresh (SQLite's 0016).
        Migration(number: 13, name: "index-audit-by-action", sql: """
            CREATE INDEX audit_log_by_action ON audit_log (action, seq);
            """),
    ]
}
