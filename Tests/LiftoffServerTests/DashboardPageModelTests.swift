import Foundation
import LiftoffCore
import LiftoffStore
import Testing
@testable import LiftoffServer

/// The smaller pages' models, from hand-made records: what each shapes before it is drawn.
@Suite("Dashboard page models")
struct DashboardPageModelTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func feedbackCountsRatingsOneToFive() {
        let entries = [4, 4, 5, 1].map { FeedbackRecord(sequence: $0, at: Self.now, userId: "u", sessionId: nil, phase: "p", variant: .treatment,
                                                      feedback: Feedback(rating: $0)) }
            + [FeedbackRecord(sequence: 9, at: Self.now, userId: "u", sessionId: nil, phase: "p", variant: .treatment, feedback: Feedback(helpful: true))]
        #expect(FeedbackReviewPage(query: nil, quality: [:], entries: entries).ratingCounts == [1, 0, 0, 2, 1])
    }

    @Test func theAuditPageLinksOlderEntriesOnlyWhenItIsFull() {
        let entry = { (sequence: Int) in AuditEntry(sequence: sequence, at: Self.now, actor: "a", action: "x", reason: nil) }
        #expect(AuditTrailPage(entries: (1...200).reversed().map(entry)).olderBefore == 1)
        #expect(AuditTrailPage(entries: (1...199).reversed().map(entry)).olderBefore == nil)
    }

    @Test func alertsShowRulesPendingOrFiringAndSilencesInForce() throws {
        let plan = GuardrailTests.plan()
        let rules = plan.guardrails.rules
        var firing = RuleState()
        firing.phase = .firing
        let states = [rules[0].id: firing, rules[1].id: RuleState()]
        let silences = [SilenceRecord(id: "s1", matchers: ["rule": "x"], startsAt: Self.now - 60, endsAt: Self.now + 60, createdBy: "a", comment: "c", createdAt: Self.now),
                        SilenceRecord(id: "s2", matchers: ["rule": "y"], startsAt: Self.now - 120, endsAt: Self.now - 60, createdBy: "a", comment: "c", createdAt: Self.now)]
        let page = AlertsPage(rules: rules, states: states, alerts: [], silences: silences, now: Self.now)
        #expect(page.active.map(\.rule.id) == [rules[0].id])
        #expect(page.silences.map(\.inForce) == [true, false])
    }
}
