import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffStore

/// Reads a window's completion events and analyses them (`LearningPathAnalysis`): what
/// `/v1/insights/learning-paths`, the item rows of problem areas, the dashboard and the phase report show.
struct LearningPathReading: Sendable {
    /// At most this many completion events are read per answer (oldest first), so one request stays bounded
    /// in memory and time whatever the traffic; past it the answer says `truncated`.
    static let readLimit = 200_000

    var analysis: LearningPathAnalysis
    var completions: Int
    var truncated: Bool

    static func read(_ store: any Store, over interval: MetricsQuery.Interval, phase: String?, variant: Variant?,
                     depth: Int = 5, limit: Int = readLimit) async throws -> LearningPathReading {
        let steps = try await store.completionSteps(from: interval.start, to: interval.end, phase: phase, variant: variant, limit: limit + 1)
        let truncated = steps.count > limit
        let kept = truncated ? Array(steps.prefix(limit)) : steps
        return LearningPathReading(analysis: LearningPathAnalysis(steps: kept, depth: depth), completions: kept.count, truncated: truncated)
    }

    /// The answer of `/v1/insights/learning-paths` for this reading.
    func answer(window: String, phase: String?, variant: Variant?, interval: MetricsQuery.Interval, depth: Int) -> LearningPaths {
        let learners = analysis.learners
        return LearningPaths(
            window: window, phase: phase, variant: variant?.rawValue, from: interval.start, to: interval.end, learners: learners,
            completions: completions, truncated: truncated, depth: depth,
            paths: analysis.paths.map { LearningPaths.Path(items: $0.items, learners: $0.learners,
                                                           share: learners == 0 ? nil : Double($0.learners) / Double(learners)) },
            items: analysis.items.map { item in
                LearningPaths.Item(itemId: item.itemId, item: item.item.rawValue, reached: item.reached, completed: item.completed,
                                   abandoned: item.abandoned, stoppedHere: item.stoppedHere, abandonmentRate: item.abandonmentRate,
                                   abandonmentBound: item.abandonmentInterval?.lowerBound)
            })
    }
}
