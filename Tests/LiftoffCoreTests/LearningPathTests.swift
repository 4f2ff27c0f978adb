import Foundation
import LiftoffCore
import Testing

@Suite("Learning paths")
struct LearningPathTests {
    static let start = Timestamp.parse("2026-11-30T09:00:00Z")!

    static func step(_ user: String, _ item: String, completed: Bool = true, at minute: Int) -> CompletionStep {
        CompletionStep(userId: user, itemId: item, item: item.hasPrefix("project") ? .project : .lesson, completed: completed,
                       at: start.addingTimeInterval(Double(minute) * 60))
    }

    /// Four learners, hand-counted:
    /// - a: intro, loops, project-1 (completed all three)
    /// - b: intro, loops, then abandons project-1 (stopped there)
    /// - c: intro, abandons loops, then completes it on a retry, then abandons project-1 and starts nothing else
    /// - d: abandons intro and stops
    static let steps = [
        step("a", "intro", at: 0), step("a", "loops", at: 10), step("a", "project-1", at: 20),
        step("b", "intro", at: 1), step("b", "loops", at: 11), step("b", "project-1", completed: false, at: 21),
        step("c", "intro", at: 2), step("c", "loops", completed: false, at: 12), step("c", "loops", at: 15),
        step("c", "project-1", completed: false, at: 22),
        step("d", "intro", completed: false, at: 3),
    ]

    @Test func pathsAreAFunnelOfCompletedItems() {
        let analysis = LearningPathAnalysis(steps: Self.steps.shuffled())
        #expect(analysis.learners == 4)
        #expect(analysis.paths.map(\.items) == [["intro", "loops"], ["intro", "loops", "project-1"]])
        #expect(analysis.paths.map(\.learners) == [3, 1])
    }

    @Test func itemsCountReachedCompletedAbandonedAndWhereLearnersStopped() throws {
        let analysis = LearningPathAnalysis(steps: Self.steps)
        let byId = Dictionary(uniqueKeysWithValues: analysis.items.map { ($0.itemId, $0) })
        let project = try #require(byId["project-1"])
        #expect((project.reached, project.completed, project.abandoned, project.stoppedHere) == (3, 1, 2, 2))
        #expect(project.item == .project)
        let loops = try #require(byId["loops"])
        // c's latest event of loops completed it: a retry that succeeded is not an abandonment.
        #expect((loops.reached, loops.completed, loops.abandoned, loops.stoppedHere) == (3, 3, 0, 0))
        let intro = try #require(byId["intro"])
        #expect((intro.reached, intro.completed, intro.abandoned, intro.stoppedHere) == (4, 3, 1, 1))
        #expect(analysis.items.map(\.itemId) == ["project-1", "intro", "loops"], "most learners stopped first")
        // 2 of 3: Wilson 95% lower bound 0.208.
        #expect(abs((project.abandonmentInterval?.lowerBound ?? 0) - 0.2077) < 0.001)
        #expect(abs(project.abandonmentRate - 2.0 / 3.0) < 1e-12)
    }

    @Test func depthAndLimitBoundTheAnswer() {
        let long = (0..<8).map { Self.step("e", "lesson-\($0)", at: $0) }
        let analysis = LearningPathAnalysis(steps: long, depth: 3, limit: 1)
        #expect(analysis.paths.map(\.items) == [["lesson-0", "lesson-1", "lesson-2"]], "ties: the longer first, up to depth")
        #expect(LearningPathAnalysis(steps: []).learners == 0)
    }
}
