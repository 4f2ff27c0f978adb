import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffStore

/// Incident reports (`LiftoffAPI.IncidentReport`): the part written when the incident opened (trigger,
/// value, affected users, actions, failing interactions), completed when read with the metric's series
/// around the breach and the timeline of what happened since.
struct IncidentReports: Sendable {
    let store: any Store
    let metrics: MetricsQuery
    let clock: any WallClock

    /// The report as stored when the incident opened, with its id.
    static func decode(_ incident: IncidentRecord) throws -> IncidentReport {
        do {
            var report = try APICoding.decoder.decode(IncidentReport.self, from: Data(incident.report.utf8))
            report.id = incident.id
            return report
        } catch {
            throw StoreError(.corrupt, "incident \(incident.id ?? 0) has an unreadable report: \(error)")
        }
    }

    /// Every incident, newest first, without failing interactions, series or timeline.
    func list() async throws -> [IncidentReport] {
        try await store.incidents().map { incident in
            var report = try Self.decode(incident)
            report.failingInteractions = nil
            report.findings = nil
            return report
        }
    }

    func report(_ id: Int) async throws -> IncidentReport {
        guard let incident = try await store.incident(id) else { throw DomainError.notFound("no incident \(id)") }
        var report = try Self.decode(incident)
        let now = clock.now()
        let from = incident.openedAt.addingTimeInterval(-30 * 60)
        let to = min(now, incident.openedAt.addingTimeInterval(30 * 60))
        if let metric = Metric(rawValue: report.metric) {
            let points = try await metrics.series(metric, over: MetricsQuery.Interval(start: from, end: to), step: 60,
                                                  phase: incident.phase, variant: .treatment)
            report.series = points.map { time, value in MetricPoint(t: time, value: value.value, samples: value.samples) }
        }
        let audit = try await store.auditLog(limit: 200, before: nil, action: nil)
            .filter { $0.at >= incident.openedAt.addingTimeInterval(-60) && $0.at <= incident.openedAt.addingTimeInterval(3600) }
            .reversed()
        let deliveries = try await store.messages(limit: 500).filter { message in
            message.createdAt >= incident.openedAt && (message.ruleId?.split(separator: ",").contains { $0 == incident.ruleId } ?? false)
        }
        var timeline = audit.map { entry in
            IncidentReport.TimelineEntry(at: entry.at, actor: entry.actor, what: entry.action, detail: entry.reason ?? "")
        }
        timeline += deliveries.reversed().map { message in
            IncidentReport.TimelineEntry(
                at: message.createdAt, actor: SystemActor.name, what: "\(message.kind.rawValue) to \(message.target)",
                detail: "\(message.status.rawValue) after \(message.attempts) attempt(s)\(message.lastError.map { "; last error: \($0)" } ?? "")")
        }
        report.timeline = timeline
        return report
    }
}
