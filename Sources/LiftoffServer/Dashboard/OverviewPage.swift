import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffStore

/// The overview's model: the rollout's story, its audience, the gate and the key metrics across the whole
/// rollout, read once and shaped here; `render(session:)` (OverviewPage+View) draws it. What is charted and how
/// the status reads are pure and unit-tested.
struct OverviewPage {
    /// One key metric across the rollout: treatment and control, with the line it is judged against.
    struct KeyChart {
        var metric: Metric
        var segment: Segment?
        var threshold: Double?
        var treatment: [(Date, Double?)]
        var control: [(Date, Double?)]

        var name: String { metric.rawValue + (segment.map { " [\($0)]" } ?? "") }
    }

    /// At most this many key charts: a screenful, not every rule of the plan.
    static let maxKeyCharts = 9

    var rollout: String
    var phase: String
    var status: RolloutStatus
    /// How the phase is promoted; nil for the last phase, which has no exit.
    var promotion: ExitGate.Promotion?
    var gate: GateReport
    var summary: String
    var story: RolloutStory
    var audience: AudienceGrowth
    var keyCharts: [KeyChart]
    var timeline: [RolloutView.TimelineEntry]
    var planVersions: [PlanVersionRecord]
    var livePlanVersion: Int?

    /// What the key charts show: active users, then every metric of the current phase's criteria, then every
    /// rollback trigger judged on its own (a comparison with control is drawn by the two lines already), each
    /// metric and segment once, with its threshold, at most `maxKeyCharts`.
    static func charted(phase: PhasePlan, plan: Plan) -> [(metric: Metric, segment: Segment?, threshold: Double?)] {
        var charted: [(metric: Metric, segment: Segment?, threshold: Double?)] = [(.activeUsers, nil, nil)]
        for criterion in phase.exit?.criteria ?? [] where !charted.contains(where: { $0.metric == criterion.metric && $0.segment == criterion.segment }) {
            charted.append((criterion.metric, criterion.segment, criterion.threshold))
        }
        for rule in plan.guardrails.rules where rule.actions.contains("rollback") && rule.versusControl == nil
            && !charted.contains(where: { $0.metric == rule.metric && $0.segment == rule.segment }) {
            charted.append((rule.metric, rule.segment, rule.threshold))
        }
        return Array(charted.prefix(maxKeyCharts))
    }

    /// The gate as a badge says it.
    var gateText: String { gate.isFinal ? "last phase" : gate.ready ? "ready" : "not ready" }

    static func read(snapshot: RolloutState.Snapshot, gate: GateReport, store: any Store, metrics: MetricsQuery, now: Date) async throws -> OverviewPage {
        let audit = try await store.auditLog(newest: 500, of: RolloutStory.actions)
        let story = RolloutStory(history: snapshot.history, audit: audit, incidents: try await store.incidents(), now: now)
        let audience = AudienceGrowth(plan: snapshot.plan, history: snapshot.history, invitations: snapshot.invitations,
                                      waitlist: snapshot.waitlist, now: story.end)
        let interval = MetricsQuery.Interval(start: story.start, end: story.end)
        // About a hundred points whatever the rollout's length, on whole minutes.
        let step = max(60, (interval.seconds / 100 / 60).rounded(.up) * 60)
        let charted = charted(phase: snapshot.phase, plan: snapshot.plan)
        // One read per variant and segment for all the charts, not one per chart and variant.
        var bySegment: [Segment?: (treatment: [Metric: [(Date, MetricValue)]], control: [Metric: [(Date, MetricValue)]])] = [:]
        for segment in Set(charted.map(\.segment)) {
            let wanted = charted.filter { $0.segment == segment }.map(\.metric)
            bySegment[segment] = (try await metrics.series(wanted, over: interval, step: step, phase: nil, variant: .treatment, segment: segment),
                                  try await metrics.series(wanted, over: interval, step: step, phase: nil, variant: .control, segment: segment))
        }
        let keyCharts = charted.map { metric, segment, threshold in
            KeyChart(metric: metric, segment: segment, threshold: threshold,
                     treatment: (bySegment[segment]?.treatment[metric] ?? []).map { ($0.0, $0.1.value) },
                     control: (bySegment[segment]?.control[metric] ?? []).map { ($0.0, $0.1.value) })
        }
        return OverviewPage(rollout: snapshot.plan.rollout, phase: snapshot.phase.name, status: snapshot.record.status,
                            promotion: snapshot.phaseIndex + 1 < snapshot.plan.phases.count ? snapshot.phase.exit?.promotion ?? .manual : nil, gate: gate, summary: RolloutView.summary(snapshot: snapshot, gate: gate),
                            story: story, audience: audience, keyCharts: keyCharts, timeline: RolloutView.timeline(snapshot: snapshot, now: now),
                            planVersions: try await store.planVersions(limit: 10), livePlanVersion: snapshot.planVersion)
    }
}
