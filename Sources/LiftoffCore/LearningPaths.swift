import Foundation

/// One completion event as the learning-path analysis reads it: who, which item, finished or abandoned, when.
public struct CompletionStep: Sendable, Equatable {
    public var userId: String
    public var itemId: String
    public var item: CompletionItem
    public var completed: Bool
    public var at: Date

    public init(userId: String, itemId: String, item: CompletionItem, completed: Bool, at: Date) {
        self.userId = userId
        self.itemId = itemId
        self.item = item
        self.completed = completed
        self.at = at
    }
}

/// The routes learners take through lessons and projects, and where they stop, read from their completion
/// events (the seed's beta question "common learning paths, problem areas").
///
/// - A learner's path is the items they completed, each at its first completion, in time order.
/// - `paths` counts, for each sequence of 2 to `depth` items, the learners whose path starts with it: a funnel,
///   so `[a, b]` has at least the learners of `[a, b, c]`. The `limit` sequences with most learners are kept
///   (ties: the longer, then by name).
/// - Per item: learners who reached it (any completion event of it), completed it, abandoned it (an event of
///   it says `completed: false` and none says `true`: a retry that succeeded is no abandonment), and stopped
///   there (their latest event of all is an abandonment of an item they abandoned).
///   The abandonment rate's 95% Wilson interval gives the bound problem areas rank by, so two learners out of
///   two do not outrank forty out of a hundred.
public struct LearningPathAnalysis: Sendable, Equatable {
    public struct Path: Sendable, Equatable {
        public var items: [String]
        public var learners: Int
    }

    public struct ItemProgress: Sendable, Equatable {
        public var itemId: String
        /// The kind its latest event named.
        public var item: CompletionItem
        public var reached: Int
        public var completed: Int
        /// Learners who abandoned it and never completed it.
        public var abandoned: Int
        public var stoppedHere: Int

        /// Abandoned ÷ reached.
        public var abandonmentRate: Double { reached == 0 ? 0 : Double(abandoned) / Double(reached) }
        /// The 95% Wilson interval of the abandonment rate.
        public var abandonmentInterval: ClosedRange<Double>? { Wilson.interval(successes: abandoned, trials: reached) }
    }

    /// Learners with at least one completion event.
    public var learners: Int
    /// Most learners first.
    public var paths: [Path]
    /// Most learners stopped first, then highest abandonment bound, then most reached.
    public var items: [ItemProgress]

    public init(steps: [CompletionStep], depth: Int = 5, limit: Int = 10) {
        // Equal times keep the order given (the store's order of arrival).
        let byLearner = Dictionary(grouping: steps.enumerated(), by: \.element.userId).mapValues { pairs in
            pairs.sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        }
        var prefixes: [[String]: Int] = [:]
        var items: [String: ItemProgress] = [:]
        for steps in byLearner.values {
            var path: [String] = []
            var latest: [String: CompletionStep] = [:]
            for step in steps {
                latest[step.itemId] = step
                if step.completed, !path.contains(step.itemId) { path.append(step.itemId) }
            }
            if path.count >= 2 {
                for length in 2...min(depth, path.count) { prefixes[Array(path.prefix(length)), default: 0] += 1 }
            }
            for (itemId, step) in latest {
                var progress = items[itemId] ?? ItemProgress(itemId: itemId, item: step.item, reached: 0, completed: 0, abandoned: 0, stoppedHere: 0)
                progress.reached += 1
                if path.contains(itemId) {
                    progress.completed += 1
                } else {
                    progress.abandoned += 1
                    if steps.last?.itemId == itemId { progress.stoppedHere += 1 }
                }
                items[itemId] = progress
            }
        }
        learners = byLearner.count
        paths = prefixes.map { Path(items: $0.key, learners: $0.value) }.sorted { lhs, rhs in
            if lhs.learners != rhs.learners { return lhs.learners > rhs.learners }
            if lhs.items.count != rhs.items.count { return lhs.items.count > rhs.items.count }
            return lhs.items.lexicographicallyPrecedes(rhs.items)
        }.prefix(limit).map { $0 }
        self.items = items.values.sorted { lhs, rhs in
            if lhs.stoppedHere != rhs.stoppedHere { return lhs.stoppedHere > rhs.stoppedHere }
            let left = lhs.abandonmentInterval?.lowerBound ?? 0, right = rhs.abandonmentInterval?.lowerBound ?? 0
            if left != right { return left > right }
            return (lhs.reached, rhs.itemId) > (rhs.reached, lhs.itemId)
        }
    }
}
