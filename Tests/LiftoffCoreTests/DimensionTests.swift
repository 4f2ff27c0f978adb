import Foundation
import LiftoffCore
import Testing

@Suite("Dimensions")
struct DimensionTests {
    @Test func theCapKeepsTheFirstValuesAndFoldsLaterOnesIntoOther() {
        var values = DimensionValues()
        #expect(values.resolve("a", of: .feature, cap: 2) == ("a", true))
        #expect(values.resolve("a", of: .feature, cap: 2) == ("a", false))
        #expect(values.resolve("other", of: .feature, cap: 2) == ("other", false), "other never takes a place")
        #expect(values.resolve("b", of: .feature, cap: 2) == ("b", true))
        #expect(values.resolve("c", of: .feature, cap: 2) == ("other", false))
        #expect(values.resolve("c", of: .region, cap: 2) == ("c", true), "each dimension has its own cap")
        #expect(values.isFull(.feature, cap: 2) && !values.isFull(.region, cap: 2))
    }

    @Test func anEventsValuesComeFromItsFields() {
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        let attribution = Attribution(phase: "alpha", variant: .treatment, epoch: 0)
        let feedback = RecordedEvent(event: Event(timestamp: at, userId: "u", region: "br", payload: .feedback(Feedback(rating: 4, feature: "visual_aids"))),
                                     attribution: attribution, dimensions: [.feature: 5, .model: 5, .region: 5, .skillLevel: 5])
        #expect(feedback.value(of: .feature, skillLevel: nil) == "visual_aids")
        #expect(feedback.value(of: .model, skillLevel: nil) == nil)
        #expect(feedback.value(of: .region, skillLevel: nil) == "br")
        #expect(feedback.value(of: .skillLevel, skillLevel: "advanced") == "advanced")
        var copy = feedback
        var values = DimensionValues()
        let admitted = values.segment(&copy, skillLevel: "advanced")
        #expect(copy.segments == [Segment(.feature, "visual_aids"), Segment(.skillLevel, "advanced"), Segment(.region, "br")])
        #expect(admitted == copy.segments)
    }

    @Test func foldingCountsAnEventInTheWholeAndInEachSegment() {
        var recorded = RecordedEvent(
            event: Event(timestamp: Date(timeIntervalSince1970: 1_800_000_000), userId: "u",
                         payload: .aiInteraction(AIInteraction(feature: "code_analysis", model: "m", latencyMs: 120, outcome: .timeout))),
            attribution: Attribution(phase: "alpha", variant: .treatment, epoch: 0), costUsd: 0.5)
        recorded.segments = [Segment(.feature, "code_analysis"), Segment(.model, "m")]
        var table = AggregateTable()
        table.fold(recorded)
        let whole = table.rows.filter { $0.key.segment == nil }
        let feature = table.rows.filter { $0.key.segment == Segment(.feature, "code_analysis") }
        #expect(whole.count == 4, "users, latency, timeouts, cost")
        #expect(feature.count == whole.count)
        #expect(feature.first { $0.key.measure == .timeouts }?.value.sum == 1)
        #expect(table.rows.count == 12)
    }

    @Test func thePlanDeclaresDimensionsWithCaps() throws {
        let plan = try PlanDecoder.decode(yaml: """
            rollout: r
            dimensions:
              feature: { maxValues: 12 }
              region: {}
            phases:
              - { name: all, audience: { percentage: 100 } }
            """)
        #expect(plan.dimensions == [.feature: 12, .region: Plan.defaultDimensionCap])
    }

    @Test func aBadDimensionIsRefusedWithItsLine() {
        #expect(throws: PlanErrors.self) {
            _ = try PlanDecoder.decode(yaml: """
                rollout: r
                dimensions:
                  country: {}
                phases:
                  - { name: all, audience: { percentage: 100 } }
                """)
        }
        do {
            _ = try PlanDecoder.decode(yaml: """
                rollout: r
                dimensions:
                  feature: { maxValues: 5000 }
                phases:
                  - { name: all, audience: { percentage: 100 } }
                """)
            Issue.record("a cap above the limit was accepted")
        } catch {
            #expect("\(error)".contains("dimensions.feature.maxValues"))
            #expect("\(error)".contains("line 3"))
        }
    }
}

@Suite("Stored payload JSON")
struct PayloadJSONTests {
    /// The payload is written in key order without sorting at run time; this holds it to the sorted text.
    @Test func everyTypeIsWrittenInKeyOrder() {
        let payloads: [EventPayload] = [
            .aiInteraction(AIInteraction(feature: "f", model: "m", provider: "p", latencyMs: 1, inputTokens: 2, outputTokens: 3, costUsd: 0.5,
                                         outcome: .ok, relevance: 0.5, accuracy: 0.5, cachedInputTokens: 1, reasoningTokens: 1)),
            .aiInteraction(AIInteraction(latencyMs: 123_456_789_012, inputTokens: -7, outcome: .timeout, relevance: 1e20)),
            .feedback(Feedback(rating: 1, helpful: true, relevant: false, usability: 2, suggestion: "s", interactionId: "i", feature: "f")),
            .feedback(Feedback(rating: 5, suggestion: "say \"hi\"\n\u{1}ü")),
            .sessionStart,
            .sessionEnd(SessionEnd(durationSeconds: 3)),
            .assessment(Assessment(skill: "s", score: 0.5, level: "l", predictedLevel: "p")),
            .completion(Completion(item: .project, itemId: "i", completed: true)),
            .securityIssue(SecurityIssue(severity: .high, title: "t")),
            .integrityViolation(IntegrityViolation(check: "c", detail: "d", feature: "f")),
            .integrityCheck(IntegrityCheck(check: "c", passed: false, detail: "d", feature: "f")),
            .resource(ResourceSample(cpu: 0.5, memory: 0.5, infraCostUsd: 1)),
            .payment(Payment(amountUsd: 12, kind: .subscription, plan: "p")),
        ]
        for payload in payloads {
            #expect(payload.compactJSONText == JSONValue.object(payload.jsonObject).compactText, "\(payload.type)")
        }
        // Digits are written in place; these are the texts `String(Int64)` and `description` gave.
        #expect(payloads[1].compactJSONText == #"{"inputTokens":-7,"latencyMs":123456789012,"outcome":"timeout","relevance":1e+20}"#)
        #expect(payloads[3].compactJSONText == #"{"rating":5,"suggestion":"say \"hi\"\n\u0001ü"}"#)
    }
}
