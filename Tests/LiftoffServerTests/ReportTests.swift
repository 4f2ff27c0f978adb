import Foundation
import LiftoffAPI
import Hummingbird
import HummingbirdTesting
import LiftoffCore
import Testing
@testable import LiftoffServer

@Suite("Phase reports")
struct ReportTests {
    @Test func theReportHasVerdictsKPIsFeedbackAndEscapesUserText() async throws {
        let server = try await TestServer(plan: RolloutAPITests.plan)
        try await server.withClient { client in
            _ = try await client.request(.post, "/v1/events", json: RolloutAPITests.interactions(user: "dev-1", count: 120))
            _ = try await client.request(.post, "/v1/events", json: RolloutAPITests.interactions(user: "someone", count: 10, outcome: "timeout"))
            _ = try await client.request(.post, "/v1/events", json: """
                {"events":[{"type":"feedback","userId":"dev-1","rating":5,"suggestion":"<script>alert('x')</script> & more"},
                           {"type":"feedback","userId":"dev-2","rating":4}]}
                """)
            let json = try await client.request(.get, "/v1/reports/internal", key: TestServer.keys[.read])
            #expect(json.status == .ok)
            let report = try json.decode(PhaseReport.self)
            #expect(report.criteria.first?.criterion == "error_rate below 0.05")
            #expect(report.criteria.first?.verdict == .pass)
            let performance = report.kpis.first { $0.section == "System performance" }
            let errorRate = try #require(performance?.metrics.first { $0.metric == "error_rate" })
            #expect(errorRate.treatment == 0)
            #expect(errorRate.control == 1)
            // Each side with its own samples, the difference with its interval, and whether it is real.
            #expect(errorRate.treatmentSamples == 120)
            #expect(errorRate.controlSamples == 10)
            #expect(errorRate.difference == -1)
            #expect(errorRate.relativeDifference == -1)
            let interval = try #require(errorRate.interval)
            #expect((interval.lower ?? 0) < -0.6 && (interval.upper ?? 0) < 0)
            #expect(errorRate.real == true)
            let tokens = report.kpis.flatMap(\.metrics).first { $0.metric == "token_usage" }
            #expect(tokens?.interval == nil && tokens?.real == nil)
            // On the wire they are explicit nulls, not absent members.
            let wireTokens = ((json.wire["kpis"] as? [[String: Any]] ?? []).flatMap { $0["metrics"] as? [[String: Any]] ?? [] })
                .first { $0["metric"] as? String == "token_usage" }
            #expect(wireTokens?["interval"] is NSNull && wireTokens?["real"] is NSNull)
            #expect(report.comparison.correction.hasPrefix("Bonferroni over "))
            #expect(report.feedback.ratings["5"] == 1)

            let html = String(buffer: try await client.request(.get, "/v1/reports/internal?format=html", key: TestServer.keys[.read]).body)
            #expect(!html.contains("<script>alert"))
            #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"))
            let markdown = String(buffer: try await client.request(.get, "/v1/reports/internal?format=md", key: TestServer.keys[.read]).body)
            #expect(markdown.hasPrefix("# Phase report: ai-tutor / internal"))
            #expect(markdown.contains("| error_rate below 0.05 |"))
            #expect(markdown.contains("| error_rate | ratio | 0 (120) | 1 (10) | -1 | -100.0% |"))
            #expect(markdown.contains("| yes |"))
            // One value, three renderings: the JSON decodes into the typed document, which encodes back to the
            // same bytes and renders the very Markdown and HTML the server sent.
            #expect(try APICoding.text(report) == String(buffer: json.body))
            #expect(report.markdown == markdown)
            #expect(report.html == html)
            #expect(try await client.request(.get, "/v1/reports/beta", key: TestServer.keys[.read]).status == .notFound)
            #expect(try await client.request(.get, "/v1/reports/internal?format=pdf", key: TestServer.keys[.read]).status == .badRequest)
        }
    }
}
