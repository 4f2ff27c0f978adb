import Foundation
import LiftoffCore
import Testing
@testable import LiftoffAPI

/// The client reads `/v1/events` and `/v1/evaluate` answers without `JSONDecoder`: what the server writes
/// (`APICoding.encoder`) must read back the same, and an answer of another shape must fail naming the member.
@Suite("Client: answers read from the parsed tree")
struct ParsedAnswerTests {
    @Test func ingestReportsReadBackAsWritten() throws {
        let reports = [
            IngestReport(accepted: 3, duplicates: 1, rejected: []),
            IngestReport(accepted: 0, duplicates: 0, rejected: [IngestRejection(index: 2, error: "latencyMs: -1 is negative"),
                                                                IngestRejection(index: 7, error: "type: \"clik\" is not an event type")]),
        ]
        for report in reports {
            let read = try IngestReport.parse(try APICoding.encoder.encode(report))
            #expect(read.accepted == report.accepted && read.duplicates == report.duplicates && read.rejected == report.rejected)
        }
    }

    @Test func evaluateAnswersReadBackAsWritten() throws {
        let answer = EvaluateAnswer(enabled: true, variant: .treatment, phase: "beta", reason: "in the beta's 15%",
                                    config: ["promptProfile": .string("economy"), "maxTokens": .number(512), "visualAids": .bool(true),
                                             "nested": .object(["a": .array([.null, .number(1.5)])])])
        let read = try EvaluateAnswer.parse(try APICoding.encoder.encode(answer))
        #expect(read.enabled && read.variant == .treatment && read.phase == "beta" && read.reason == answer.reason)
        #expect(read.config == answer.config)
    }

    @Test func anAnswerOfAnotherShapeNamesTheMember() {
        #expect(throws: ParsedAnswerError.self) { try IngestReport.parse(Data(#"{"accepted":1.5,"duplicates":0,"rejected":[]}"#.utf8)) }
        do {
            _ = try EvaluateAnswer.parse(Data(#"{"enabled":true,"variant":"both","phase":"beta","reason":"x","config":{}}"#.utf8))
            Issue.record("an unknown variant was read")
        } catch {
            #expect("\(error)".contains("variant"))
        }
        do {
            _ = try IngestReport.parse(Data(#"{"accepted":1,"rejected":[]}"#.utf8))
            Issue.record("a missing member was read")
        } catch {
            #expect("\(error)".contains("duplicates"))
        }
    }
}
