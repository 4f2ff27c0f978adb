import Foundation
import LiftoffCore
import LiftoffStore

/// How many users the rollout had let in by name at each moment: the groups of every phase from its start, each
/// invitation, each waitlist admission — cumulative, since a user let in by an earlier phase stays in. A phase
/// with a `percentage` lets in a share of everyone by sticky hash, which no list counts: it is reported beside
/// the count, not folded into it.
struct AudienceGrowth {
    struct Step: Equatable {
        var at: Date
        var size: Int
    }

    /// Every change of the count, oldest first; the first at the rollout's start.
    var steps: [Step]
    /// The first phase reached that lets in a percentage of everyone, with its share and start.
    var percentage: (phase: String, percentage: Double, since: Date)?
    var end: Date

    init(plan: Plan, history: [PhaseRecord], invitations: [Invitation], waitlist: [WaitlistEntry], now: Date) {
        var arrivals: [(Date, String)] = []
        var percentage: (phase: String, percentage: Double, since: Date)?
        for record in history {
            guard let audience = plan.phases.first(where: { $0.name == record.phase })?.audience else { continue }
            arrivals += audience.groups.flatMap(\.members).map { (record.startedAt, $0) }
            if percentage == nil, let share = audience.percentage, share > 0 { percentage = (record.phase, share, record.startedAt) }
        }
        arrivals += invitations.map { ($0.at, $0.userId) }
        arrivals += waitlist.compactMap { entry in entry.admittedAt.map { ($0, entry.userId) } }
        var seen = Set<String>()
        var steps: [Step] = history.first.map { [Step(at: $0.startedAt, size: 0)] } ?? []
        for (at, user) in arrivals.sorted(by: { $0.0 < $1.0 }) where seen.insert(user).inserted {
            if let last = steps.last, last.at == at { steps[steps.count - 1].size = seen.count } else { steps.append(Step(at: at, size: seen.count)) }
        }
        self.steps = steps
        self.percentage = percentage
        self.end = max(now, steps.last?.at ?? now)
    }

    /// The count as a step-shaped line for a chart: flat until each change, then up at once.
    var points: [(Date, Double?)] {
        var points: [(Date, Double?)] = []
        for step in steps {
            if let previous = points.last?.1, points.last?.0 != step.at { points.append((step.at, previous)) }
            points.append((step.at, Double(step.size)))
        }
        if let last = points.last, last.0 < end { points.append((end, last.1)) }
        return points
    }

    /// What the chart cannot show as a count.
    var note: String? {
        percentage.map { "From \(ChartAxis.moment($0.since)) phase \($0.phase) lets in \(ChartAxis.compact($0.percentage))% of all users by sticky hash, which no list counts: the line counts only users let in by name." }
    }
}
