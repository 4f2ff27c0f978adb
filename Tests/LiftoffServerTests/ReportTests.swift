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
            let report = json.object
            let criteria = report["criteria"] as? [[String: Any]] ?? []
            #expect(criteria.first?["criterion"] as? String == "error_rate below 0.05")
            #expect(criteria.first?["verdict"] as? String == "pass")
            let performance = (report["kpis"] as? [[String: Any]] ?? []).first { $0["section"] as? String == "System performance" }
            let errorRate = (performance?["metrics"] as? [[String: Any]] ?? []).first { $0["metric"] as? String == "error_rate" }
            #expect(errorRate?["treatment"] as? Double == 0)
            #expect(errorRate?["control"] as? Double == 1)
            // Each side with its own samples, the difference with its interval, and whether it is real.
            #expect(errorRate?["treatmentSamples"] as? Int == 120)
            #expect(errorRate?["controlSamples"] as? Int == 10)
            #expect(errorRate?["difference"] as? Double == -1)
            #expect(errorRate?["relativeDifference"] as? Double == -1)
            let interval = try #require(errorRate?["interval"] as? [Double])
            #expect(interval[0] < -0.6 && interval[1] < 0)
            #expect(errorRate?["real"] as? Bool == true)
            let tokens = (report["kpis"] as? [[String: Any]] ?? []).flatMap { $0["metrics"] as? [[String: Any]] ?? [] }
                .first { $0["metric"] as? String == "token_usage" }
            #expect(tokens?["interval"] is NSNull && tokens?["real"] is NSNull)
            let correction = (report["comparison"] as? [String: Any])?["correction"] as? String
            #expect(correction?.hasPrefix("Bonferroni over ") == true)
            #expect(((report["feedback"] as? [String: Any])?["ratings"] as? [String: Any])?["5"] as? Int == 1)

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
            let document = try json.decode(PhaseReport.self)
            #expect(document.criteria.first?.verdict == .pass)
            #expect(document.feedback.ratings["5"] == 1)
            #expect(try APICoding.text(document) == String(buffer: json.body))
            #expect(document.markdown == markdown)
            #expect(document.html == html)
            #expect(try await client.request(.get, "/v1/reports/beta", key: TestServer.keys[.read]).status == .notFound)
            #expect(try await client.request(.get, "/v1/reports/internal?format=pdf", key: TestServer.keys[.read]).status == .badRequest)
        }
    }
}
