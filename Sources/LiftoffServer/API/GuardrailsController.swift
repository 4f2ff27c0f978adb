import Foundation
import LiftoffAPI
import Hummingbird
import LiftoffCore
import LiftoffStore

/// Alerts, silences, incidents, deliveries and the live state of every guardrail.
struct GuardrailsController {
    let store: any Store
    let evaluator: GuardrailEvaluator
    let metrics: MetricsQuery
    let clock: any WallClock

    func addRoutes(to routes: inout ScopedRoutes) {
        let store = self.store
        let evaluator = self.evaluator
        let clock = self.clock
        routes.add(.get, "/v1/alerts", scope: .read) { _, _, _ in
            let alerts = try await store.alerts(limit: 200).map { alert in
                AlertView(id: alert.id ?? 0, rule: alert.ruleId, status: alert.resolved ? "resolved" : "firing",
                          severity: alert.severity.rawValue, silenced: alert.silenced, labels: alert.labels,
                          annotations: alert.annotations, startsAt: alert.startsAt, endsAt: alert.endsAt, fingerprint: alert.fingerprint)
            }
            return try JSONBody.response(AlertList(alerts: alerts))
        }
        routes.add(.get, "/v1/silences", scope: .read) { _, _, _ in
            let now = clock.now()
            let silences = try await store.silences().map { silence in
                SilenceView(id: silence.id, matchers: silence.matchers, startsAt: silence.startsAt, endsAt: silence.endsAt,
                            createdBy: silence.createdBy, comment: silence.comment, active: silence.startsAt <= now && now < silence.endsAt)
            }
            return try JSONBody.response(SilenceList(silences: silences))
        }
        routes.add(.post, "/v1/silences", scope: .operate) { request, _, key in
            let body = try await RequestJSON.decode(SilenceRequest.self, from: request)
            guard !body.matchers.isEmpty else { throw APIError.badRequest("matchers: give at least one label, e.g. {\"rule\":\"rollback[0]\"}") }
            let now = clock.now()
            let startsAt = try body.startsAt.map { text -> Date in
                guard let date = Timestamp.parse(text) else { throw APIError.badRequest("startsAt: '\(text)' is not an RFC 3339 time") }
                return date
            } ?? now
            guard let endsAt = Timestamp.parse(body.endsAt) else { throw APIError.badRequest("endsAt: '\(body.endsAt)' is not an RFC 3339 time") }
            guard endsAt > startsAt else { throw APIError.badRequest("endsAt: must be after startsAt") }
            let comment = try RequestJSON.text(body.comment, field: "comment", required: true)!
            let createdBy = try RequestJSON.text(body.createdBy, field: "createdBy") ?? key.name
            let silence = SilenceRecord(id: APIKeySecret.identifier(), matchers: body.matchers, startsAt: startsAt, endsAt: endsAt,
                                        createdBy: createdBy, comment: comment, createdAt: now)
            try await store.addSilence(silence, audit: AuditEntry(at: now, actor: key.name, action: "silence.create", reason: comment,
                                                                  after: JSONValue.object(body.matchers.mapValues(JSONValue.string)).compactText))
            return try JSONBody.response(SilenceView(id: silence.id, matchers: silence.matchers, startsAt: startsAt, endsAt: endsAt,
                                                     createdBy: createdBy, comment: comment, active: startsAt <= now), status: .created)
        }
        routes.add(.get, "/v1/deliveries", scope: .read) { _, _, _ in
            let deliveries = try await store.messages(limit: 200).map { message in
                DeliveryView(id: message.id ?? 0, kind: message.kind.rawValue, target: message.target, rule: message.ruleId,
                             status: message.status.rawValue, attempts: message.attempts,
                             nextAttemptAt: message.status == .pending ? message.nextAttemptAt : nil, lastError: message.lastError,
                             createdAt: message.createdAt, deliveredAt: message.deliveredAt)
            }
            return try JSONBody.response(DeliveryList(deliveries: deliveries))
        }
        routes.add(.get, "/v1/guardrails", scope: .read) { _, _, _ in
            let states = try await evaluator.ruleStates()
            let observations = await evaluator.observations
            let rules = evaluator.guardrails.rules.map { rule in
                let state = states[rule.id] ?? RuleState()
                let observation = observations[rule.id]
                var judgement: String?
                switch observation?.judgement {
                case .breach?: judgement = "breach"
                case .clear?: judgement = "clear"
                case .insufficientData?: judgement = "insufficient_data"
                case nil: judgement = nil
                }
                var view = RuleView(id: rule.id, summary: rule.label, kind: rule.kind.rawValue, metric: rule.metric.rawValue, when: rule.when.rawValue,
                                threshold: rule.threshold, window: DurationText.format(rule.window), minSamples: rule.minSamples,
                                severity: rule.severity.rawValue, actions: rule.actions, state: state.phase.rawValue, since: state.since,
                                firings: state.firings, value: observation?.value.value, samples: observation?.value.samples,
                                judgement: judgement, observedAt: observation?.at,
                                versus: rule.versusControl.map { RuleView.Versus(factor: $0.factor, window: DurationText.format($0.window)) },
                                control: observation?.control.map { RuleView.ControlObservation(value: $0.value, samples: $0.samples) },
                                countsEventsWithoutUser: rule.metric.countsEventsWithoutUser)
                view.segment = rule.segment?.description
                return view
            }
            return try JSONBody.response(GuardrailsView(rules: rules))
        }
        let reports = IncidentReports(store: store, metrics: metrics, clock: clock)
        routes.add(.get, "/v1/incidents", scope: .read) { _, _, _ in
            try JSONBody.response(IncidentList(incidents: try await reports.list()))
        }
        routes.add(.get, "/v1/incidents/{id}", scope: .read, query: ["format"]) { request, context, _ in
            guard let id = context.parameters.get("id", as: Int.self) else { throw APIError.notFound("no incident with that id") }
            let report = try await reports.report(id)
            switch request.uri.queryParameters.get("format") ?? "json" {
            case "json":
                return try JSONBody.response(report)
            case "md":
                return Response(status: .ok, headers: [.contentType: "text/markdown; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: report.markdown)))
            case let other:
                throw APIError.badRequest("format: '\(other)' is not one of json, md")
            }
        }
    }
}
