/// What a `json` alert route receives: one group of alerts that changed in one evaluation (or are due to be
/// repeated). `status` is `firing` when any alert in the group fires, else `resolved`.
public struct AlertGroupMessage: Codable, Sendable {
    public var status: String
    public var rollout: String
    /// Where the alerts are listed (`/v1/alerts`).
    public var url: String
    public var alerts: [Alert]

    public init(status: String, rollout: String, url: String, alerts: [Alert]) {
        self.status = status
        self.rollout = rollout
        self.url = url
        self.alerts = alerts
    }

    public struct Alert: Codable, Sendable {
        public var status: String
        public var rule: String
        public var severity: String
        public var labels: [String: String]
        public var annotations: [String: String]
        /// RFC 3339.
        public var startsAt: String
        /// RFC 3339; Alertmanager's zero time `0001-01-01T00:00:00Z` while the alert fires.
        public var endsAt: String
        public var fingerprint: String

        public init(status: String, rule: String, severity: String, labels: [String: String], annotations: [String: String],
                    startsAt: String, endsAt: String, fingerprint: String) {
            self.status = status
            self.rule = rule
            self.severity = severity
            self.labels = labels
            self.annotations = annotations
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.fingerprint = fingerprint
        }
    }
}

/// What a `slack` alert route receives: Slack's incoming-webhook message, a `text` fallback and one
/// `section` block per alert.
public struct SlackMessage: Codable, Sendable {
    public var text: String
    public var blocks: [Block]

    public init(text: String, blocks: [Block]) {
        self.text = text
        self.blocks = blocks
    }

    public struct Block: Codable, Sendable {
        public var type: String
        public var text: Text
        public init(type: String = "section", text: Text) {
            self.type = type
            self.text = text
        }
    }

    public struct Text: Codable, Sendable {
        public var type: String
        public var text: String
        public init(type: String = "mrkdwn", text: String) {
            self.type = type
            self.text = text
        }
    }
}

/// What an `alertmanager` alert route receives: Alertmanager's webhook payload, version 4, so existing
/// Alertmanager receivers take Liftoff's alerts unchanged
/// (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).
public struct AlertmanagerMessage: Codable, Sendable {
    public var version: String
    public var groupKey: String
    public var truncatedAlerts: Int
    public var status: String
    public var receiver: String
    public var groupLabels: [String: String]
    public var commonLabels: [String: String]
    public var commonAnnotations: [String: String]
    public var externalURL: String
    public var alerts: [Alert]

    public init(version: String = "4", groupKey: String, truncatedAlerts: Int = 0, status: String, receiver: String,
                groupLabels: [String: String], commonLabels: [String: String], commonAnnotations: [String: String],
                externalURL: String, alerts: [Alert]) {
        self.version = version
        self.groupKey = groupKey
        self.truncatedAlerts = truncatedAlerts
        self.status = status
        self.receiver = receiver
        self.groupLabels = groupLabels
        self.commonLabels = commonLabels
        self.commonAnnotations = commonAnnotations
        self.externalURL = externalURL
        self.alerts = alerts
    }

    public struct Alert: Codable, Sendable {
        public var status: String
        public var labels: [String: String]
        public var annotations: [String: String]
        public var startsAt: String
        public var endsAt: String
        public var generatorURL: String
        public var fingerprint: String

        public init(status: String, labels: [String: String], annotations: [String: String], startsAt: String, endsAt: String,
                    generatorURL: String, fingerprint: String) {
            self.status = status
            self.labels = labels
            self.annotations = annotations
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.generatorURL = generatorURL
            self.fingerprint = fingerprint
        }
    }
}

/// One alert as an `alertmanager_api` route pushes it: an element of the array that Alertmanager's
/// `POST /api/v2/alerts` takes (its `postableAlert`,
/// https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml). A firing alert's `endsAt` lies
/// a few re-sends ahead, as Prometheus does, so an alert whose sender stopped resolves by itself.
public struct AlertmanagerPostableAlert: Codable, Sendable, Equatable {
    public var labels: [String: String]
    public var annotations: [String: String]
    /// RFC 3339.
    public var startsAt: String
    /// RFC 3339: when it ended (resolved), or until when it counts as firing without a re-send.
    public var endsAt: String
    public var generatorURL: String

    public init(labels: [String: String], annotations: [String: String], startsAt: String, endsAt: String, generatorURL: String) {
        self.labels = labels
        self.annotations = annotations
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.generatorURL = generatorURL
    }
}
