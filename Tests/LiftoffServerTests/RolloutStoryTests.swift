import Foundation
import LiftoffCore
import LiftoffStore
import Testing
@testable import LiftoffServer

@Suite("The rollout's story")
struct RolloutStoryTests {
    static let t0 = Timestamp.parse("2026-11-01T09:00:00Z")!
    static func at(_ hours: Double) -> Date { t0.addingTimeInterval(hours * 3600) }

    static let history = [PhaseRecord(phase: "internal", startedAt: at(0), endedAt: at(24)),
                          PhaseRecord(phase: "alpha", startedAt: at(24), endedAt: nil)]
    static let audit = [
        AuditEntry(sequence: 7, at: at(24), actor: "liftoff", action: "rollout.promote", reason: "gate met",
                   before: #"{"phase":"internal","status":"running","version":3}"#, after: #"{"phase":"alpha","status":"running","version":4}"#),
        AuditEntry(sequence: 9, at: at(30), actor: "liftoff", action: "guardrail.fired",
                   reason: "adjustments[1]: token_usage above 1000000 over 30m; 1.4M", after: "actions: optimize_prompts"),
        AuditEntry(sequence: 11, at: at(31), actor: "liftoff", action: "guardrail.fired", reason: "rollback[0]: error_rate above 0.05 over 5m; 0.12",
                   after: "actions: rollback"),
        AuditEntry(sequence: 12, at: at(31), actor: "liftoff", action: "rollout.rollback", reason: "rollback[0]: error_rate above 0.05 over 5m; 0.12"),
        AuditEntry(sequence: 15, at: at(33), actor: "ops", action: "rollout.resume", reason: "provider fixed"),
        AuditEntry(sequence: 16, at: at(34), actor: "ops", action: "key.create", reason: nil),
    ]
    static let incidents = [IncidentRecord(id: 3, ruleId: "rollback[0]", firing: 1, openedAt: at(31).addingTimeInterval(2), phase: "alpha", report: "{}")]

    @Test func decisionsBecomeMarkersInTimeOrder() {
        let story = RolloutStory(history: Self.history, audit: Self.audit.reversed(), incidents: Self.incidents, now: Self.at(40))
        #expect(story.start == Self.t0 && story.end == Self.at(40))
        #expect(story.bands.map(\.phase) == ["internal", "alpha"] && story.bands[1].end == nil)
        #expect(story.markers.map(\.kind) == [.promotion, .adjustment, .rollback, .resume], "a rollback rule's firing is told by its rollback; keys are not decisions")
        #expect(story.markers[0].title == "promoted to alpha by liftoff: gate met")
        #expect(story.markers[1].title == "adjustment: adjustments[1]: token_usage above 1000000 over 30m; 1.4M; actions: optimize_prompts")
        #expect(story.markers[2].incident == 3, "the rollback links to the incident opened with it")
        #expect(story.markers[3].incident == nil && story.markers[3].audit == 15)
        #expect(story.markers[3].title == "resumed by ops: provider fixed")
    }

    @Test func theChartLinksEachMarkerToItsRowAndSaysItInWords() {
        let story = RolloutStory(history: Self.history, audit: Self.audit, incidents: Self.incidents, now: Self.at(40))
        let svg = TimelineChart(story: story).render().description
        #expect(svg.components(separatedBy: "<a href=\"#decision-").count - 1 == 4)
        #expect(svg.contains("class=\"marker rollback\""))
        #expect(svg.contains("Phases: internal from Nov 1 09:00 UTC to Nov 2 09:00 UTC; alpha from Nov 2 09:00 UTC, current. "
                             + "Decisions: 1 promotion, 1 rollback, 1 resume, 1 adjustment; each is listed in the table below."))
        // The band of a phase spans its time: internal is 24 of 40 hours of the 884-wide plot.
        #expect(svg.contains("<rect class=\"band\" x=\"8.0\" y=\"22.0\" width=\"530.4\""))
    }

    @Test func anEmptyRolloutHasAStoryToo() {
        let story = RolloutStory(history: [], audit: [], incidents: [], now: Self.t0)
        #expect(story.markers.isEmpty && story.end == Self.t0.addingTimeInterval(60))
        #expect(TimelineChart(story: story).summary.contains("Decisions: none yet"))
    }
}
