import Foundation
import Testing
@testable import LiftoffCore

@Suite("Plan changes")
struct PlanChangesTests {
    static func plan(feature: String) throws -> Plan {
        try PlanDecoder.decode(yaml: """
            rollout: r
            dimensions: { feature: { maxValues: 5 } }
            phases:
              - name: alpha
                audience: { percentage: 10 }
                exit:
                  criteria:
                    - { metric: helpfulness_rate, feature: \(feature), atLeast: 0.75, minSamples: 50 }
                    - { metric: helpfulness_rate, atLeast: 0.75, minSamples: 50 }
            """)
    }

    /// Two criteria on one metric differ only by their segment: a change of the segment is a change, and every
    /// line names it (plan check, plan apply and status printed them alike before).
    @Test func aCriterionsSegmentIsPartOfWhatChanges() throws {
        let lines = PlanChanges.between(try Self.plan(feature: "visual_aids"), try Self.plan(feature: "hints"))
        #expect(lines == [
            "phase 'alpha': criterion added: helpfulness_rate [feature=hints] atLeast 0.75, min 50 samples",
            "phase 'alpha': criterion removed: helpfulness_rate [feature=visual_aids] atLeast 0.75, min 50 samples",
        ])
        #expect(try Self.plan(feature: "hints").phases[0].exit?.criteria.map(\.subject) == ["helpfulness_rate [feature=hints]", "helpfulness_rate"])
    }
}
