import Foundation
import LiftoffAPI
import Hummingbird
import HummingbirdTesting
import LiftoffCore
import Testing
@testable import LiftoffServer

@Suite("Dashboard")
struct DashboardTests {
    static func form(_ fields: [String: String]) -> ByteBuffer {
        ByteBuffer(string: fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&"))
    }

    /// Logs in with `key` and returns the session cookie.
    static func login(_ client: some TestClientProtocol, key: String) async throws -> String? {
        let response = try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                body: form(["key": key]))
        guard let cookie = response.headers[.setCookie] else { return nil }
        return String(cookie.split(separator: ";")[0])
    }

    static func page(_ client: some TestClientProtocol, _ path: String, cookie: String) async throws -> (HTTPResponse.Status, String) {
        let response = try await client.execute(uri: path, method: .get, headers: [.cookie: cookie])
        return (response.status, String(buffer: response.body))
    }

    static func csrf(_ html: String) -> String {
        guard let range = html.range(of: #"name="csrf" value=""#) else { return "" }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    static func post(_ client: some TestClientProtocol, _ path: String, cookie: String, _ fields: [String: String]) async throws -> TestResponse {
        try await client.execute(uri: path, method: .post, headers: [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"],
                                 body: form(fields))
    }

    @Test func loginSessionsAndPages() async throws {
        let server = try await TestServer(plan: RolloutAPITests.plan)
        try await server.withClient { client in
            let anonymous = try await client.execute(uri: "/", method: .get)
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers[.location] == "/login")
            #expect(try await Self.login(client, key: "wrong") == nil)
            #expect(try await Self.login(client, key: TestServer.keys[.ingest]!) == nil)
            // Guessing is throttled: after five failures the sixth is refused outright.
            for _ in 0..<3 { _ = try await Self.login(client, key: "guess") }
            let throttled = try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                     body: Self.form(["key": "guess"]))
            #expect(throttled.status == .tooManyRequests)
            #expect(throttled.headers[.retryAfter] != nil)

            let response = try await client.execute(uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                    body: Self.form(["key": TestServer.keys[.operate]!]))
            let setCookie = try #require(response.headers[.setCookie])
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
            #expect(!setCookie.contains("Secure"))
            let proxied = try await client.execute(uri: "/login", method: .post,
                                                   headers: [.contentType: "application/x-www-form-urlencoded", .init("X-Forwarded-Proto")!: "https"],
                                                   body: Self.form(["key": TestServer.keys[.operate]!]))
            #expect(proxied.headers[.setCookie]?.contains("; Secure") == true)
            let cookie = String(setCookie.split(separator: ";")[0])
            for path in ["/", "/audience", "/alerts", "/incidents", "/feedback"] {
                let (status, html) = try await Self.page(client, path, cookie: cookie)
                #expect(status == .ok, "\(path)")
                #expect(html.contains("operate-key (operate)"), "\(path)")
            }
            let (status, html) = try await Self.page(client, "/", cookie: cookie)
            #expect(status == .ok)
            #expect(html.contains("ai-tutor: phase internal"))
            #expect(html.contains("error_rate below 0.05 (phase)"))
            #expect(html.contains("checklist: &#39;security review done&#39; is not signed"))
            #expect(try await Self.page(client, "/audit", cookie: cookie).0 == .forbidden)
            let audit = (try await client.request(.get, "/v1/audit?action=login").decoded(AuditPage.self)?.entries) ?? []
            #expect(audit.first?.actor == "operate-key")
        }
    }

    @Test func controlsNeedTheCSRFTokenTheOperateScopeAndAConfirmation() async throws {
        let server = try await TestServer(plan: RolloutAPITests.plan)
        try await server.withClient { client in
            let cookie = try #require(try await Self.login(client, key: TestServer.keys[.operate]!))
            let token = Self.csrf(try await Self.page(client, "/", cookie: cookie).1)
            #expect(!token.isEmpty)
            #expect(try await Self.post(client, "/rollout/pause", cookie: cookie, ["reason": "x"]).status == .forbidden)
            #expect(try await Self.post(client, "/rollout/pause", cookie: cookie, ["reason": "x", "csrf": "forged"]).status == .forbidden)
            let paused = try await Self.post(client, "/rollout/pause", cookie: cookie, ["reason": "checking", "csrf": token])
            #expect(paused.status == .seeOther)
            #expect(try await RolloutAPITests.rollout(client).status.rawValue == "paused")

            let unconfirmed = try await Self.post(client, "/rollout/rollback", cookie: cookie, ["reason": "spike", "csrf": token])
            #expect(unconfirmed.headers[.location]?.contains("Refused") == true)
            #expect(try await RolloutAPITests.rollout(client).status.rawValue == "paused")
            _ = try await Self.post(client, "/rollout/rollback", cookie: cookie, ["reason": "spike", "confirm": "on", "csrf": token])
            #expect(try await RolloutAPITests.rollout(client).status.rawValue == "rolled_back")

            let promote = try await Self.post(client, "/rollout/promote", cookie: cookie, ["reason": "go", "csrf": token])
            let location = try #require(promote.headers[.location])
            #expect(location.removingPercentEncoding?.contains("Refused: cannot promote: the rollout is rolled_back") == true)

            let reader = try #require(try await Self.login(client, key: TestServer.keys[.read]!))
            let readerToken = Self.csrf(try await Self.page(client, "/", cookie: reader).1)
            #expect(try await Self.post(client, "/rollout/resume", cookie: reader, ["csrf": readerToken]).status == .forbidden)

            _ = try await Self.post(client, "/logout", cookie: cookie, ["csrf": token])
            #expect(try await Self.page(client, "/", cookie: cookie).0 == .seeOther)
        }
    }

    @Test func userTextIsEscaped() async throws {
        let server = try await TestServer(plan: RolloutAPITests.plan)
        try await server.withClient { client in
            _ = try await client.request(.post, "/v1/events", json: """
                {"events":[{"type":"feedback","userId":"<img src=x onerror=alert(1)>","rating":1,"suggestion":"<script>alert('pwned')</script>"}]}
                """)
            let cookie = try #require(try await Self.login(client, key: TestServer.adminKey))
            let (status, html) = try await Self.page(client, "/feedback", cookie: cookie)
            #expect(status == .ok)
            #expect(!html.contains("<script>alert"))
            #expect(!html.contains("<img src=x"))
            #expect(html.contains("&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;"))
            #expect(try await Self.page(client, "/feedback?q=pwned", cookie: cookie).1.contains("&lt;script&gt;"))
        }
    }
}

@Suite("Dashboard charts, cost and incident pages")
struct DashboardChartTests {
    /// The metrics page breaks the phase down by every declared dimension, busiest value first, in units.
    @Test func theMetricsPageShowsBreakdowns() async throws {
        let server = try await TestServer(plan: BreakdownAPITests.plan([.feature: 5, .region: 5]))
        try await server.withClient { client in
            #expect(try await client.request(.post, "/v1/events", json: BreakdownAPITests.traffic).status == .ok)
            let cookie = try #require(try await DashboardTests.login(client, key: TestServer.keys[.read]!))
            let (status, page) = try await DashboardTests.page(client, "/metrics?window=1h", cookie: cookie)
            #expect(status == .ok)
            #expect(page.contains("<h3>By feature</h3>") && page.contains("<h3>By region</h3>"))
            #expect(page.contains("4 values of feature (at most 5 are kept)"))
            // code_analysis: 2 calls, 1 timeout, latencies 100 and 300 ms; it comes first as the busiest.
            let feature = try #require(page.range(of: "<h3>By feature</h3>")).upperBound
            let table = String(page[feature...].prefix(8000))
            // Each value's interactions over the range as a sparkline, with its text alternative.
            #expect(table.contains("<td>code_analysis</td><td><svg role=\"img\" aria-label=\"interactions of feature code_analysis: 1 of "))
            #expect(table.contains("steps with data, from 2 to 2, latest 2 at Nov 29 10:00 UTC\""))
            #expect(table.contains("</svg></td><td>2</td><td>2</td><td>50%</td>"))
            #expect(table.range(of: "code_analysis")!.lowerBound < table.range(of: "path_generation")!.lowerBound)
            #expect(page.contains("<h2 id=\"problem-areas\">Problem areas (phase alpha, last 1h, treatment)</h2>"))
            #expect(page.contains("<h3>Feature usage</h3>"))
            // The whole rollout is a range of its own: every phase, the phases drawn behind the lines.
            let rollout = try await DashboardTests.page(client, "/metrics?window=rollout", cookie: cookie).1
            #expect(rollout.contains("<h1>Metrics: every phase, whole rollout</h1>"))
            #expect(rollout.contains("aria-current=\"page\">whole rollout</a>"))
        }
        let plain = try await TestServer()
        try await plain.withClient { client in
            let cookie = try #require(try await DashboardTests.login(client, key: TestServer.keys[.read]!))
            #expect(try await DashboardTests.page(client, "/metrics?window=1h", cookie: cookie).1.contains("Breakdowns") == false)
        }
    }

    /// Daily bars are UTC days: spend at 02:00 and at 10:00 of Nov 29 is one bar labelled Nov 29, not split
    /// across two 24-hour buckets that start at the time of day the page was drawn.
    @Test func dailyBarsAreUTCDays() async throws {
        let server = try await TestServer()
        try await server.withClient { client in
            _ = try await client.request(.post, "/v1/events", json: """
                {"events":[{"type":"ai_interaction","userId":"dev-1","latencyMs":800,"outcome":"ok","costUsd":0.25,"timestamp":"2026-11-29T02:00:00Z"},
                           {"type":"ai_interaction","userId":"dev-2","latencyMs":900,"outcome":"ok","costUsd":0.5},
                           {"type":"ai_interaction","userId":"dev-2","latencyMs":900,"outcome":"ok","costUsd":1,"timestamp":"2026-11-28T23:00:00Z"}]}
                """)
            let cookie = try #require(try await DashboardTests.login(client, key: TestServer.keys[.read]!))
            let cost = try await DashboardTests.page(client, "/cost", cookie: cookie).1
            #expect(cost.contains("<title>all users, Nov 29: $0.75</title>"))
            #expect(cost.contains("<title>all users, Nov 28: $1.00</title>"))
        }
    }

    @Test func metricsCostAndIncidentPages() async throws {
        var plan = GuardrailTests.plan()
        plan.pricePoint = 12
        plan.pricing = PriceBook(["gpt-4o-mini": ModelPrice(input: 0.15, output: 0.60)])
        let server = try await TestServer(plan: plan)
        let built = try await server.build()
        let guardrails = built.guardrails
        try await built.application.test(.router) { client in
            _ = try await client.request(.post, "/v1/events", json: """
                {"events":[{"type":"ai_interaction","userId":"dev-1","latencyMs":800,"outcome":"ok","model":"gpt-4o-mini","inputTokens":1000000,"outputTokens":0},
                           {"type":"ai_interaction","userId":"dev-2","latencyMs":900,"outcome":"ok","costUsd":0.05},
                           {"type":"payment","userId":"dev-1","amountUsd":12,"kind":"subscription"},
                           {"type":"payment","userId":"dev-2","amountUsd":4,"kind":"one_time"},
                           {"type":"payment","userId":"dev-2","amountUsd":-1,"kind":"refund"}]}
                """)
            let cookie = try #require(try await DashboardTests.login(client, key: TestServer.keys[.read]!))
            let (status, metrics) = try await DashboardTests.page(client, "/metrics?window=1h", cookie: cookie)
            #expect(status == .ok)
            #expect(metrics.components(separatedBy: "<svg").count - 1 == MetricsPage.charted.count)
            #expect(metrics.contains("threshold 3 s"))
            #expect(metrics.contains("<polyline") || metrics.contains("<circle"))

            let cost = try await DashboardTests.page(client, "/cost", cookie: cookie).1
            #expect(cost.contains("$0.1000"))              // (0.15 + 0.05) / 2 users
            #expect(cost.contains("$12.00"))
            // One minute of traffic is not a month: $0.10 × 30 days / (1/1440 day), with the span said.
            #expect(cost.contains("<td>1 minute</td>"))
            #expect(cost.contains("$4320.00"))
            #expect(cost.contains("$-4308.00 (-35900%)"))
            #expect(cost.contains("Scope: treatment, all phases, last 30 days"))
            #expect(cost.contains("<rect"))
            #expect(cost.contains("<td>gpt-4o-mini</td>"))
            // Revenue 12 + 4 − 1 from 2 payers and 2 active users; margin (15 − 0.20) ÷ 15.
            #expect(cost.contains("<td>revenue (payments less refunds)</td><td>$15.00</td>"))
            #expect(cost.contains("<td>paying users</td><td>2</td>"))
            #expect(cost.contains("<td>$7.50</td>"))
            #expect(cost.contains("<td>98.7%</td>"))
            // The day's revenue beside its spend: 15 against 0.15 + 0.05.
            #expect(cost.contains("<h2>revenue and spend per day</h2>"))
            #expect(cost.contains("<title>revenue, Nov 29: $15.00</title>") && cost.contains("<title>spend, Nov 29: $0.2</title>"))

            _ = try await client.request(.post, "/v1/events", json: #"{"events":[{"type":"security_issue","userId":"dev-1","severity":"critical","title":"x"}]}"#)
            await guardrails.tick()
            let incidents = try await DashboardTests.page(client, "/incidents", cookie: cookie).1
            #expect(incidents.contains("href=\"/incidents/1\""))
            let (incidentStatus, incident) = try await DashboardTests.page(client, "/incidents/1", cookie: cookie)
            #expect(incidentStatus == .ok)
            #expect(incident.contains("Incident 1: critical_security_issues above 0 over 5m"))
            #expect(incident.contains("rollout.rollback"))
            // The overview tells it: a rollback marker on the timeline, its row linking to the incident, and the
            // key metrics across the whole rollout with the phases behind them.
            let overview = try await DashboardTests.page(client, "/", cookie: cookie).1
            #expect(overview.contains("class=\"marker rollback\""))
            #expect(overview.contains("<a href=\"/incidents/1\">incident #1</a>"))
            // A reader cannot open the audit log: an alert's decision links to the alerts page instead.
            #expect(overview.contains("<a href=\"/alerts\">alerts</a>"))
            #expect(overview.contains("rolled back by"))
            #expect(overview.contains("Key metrics across the rollout"))
            #expect(overview.contains("critical_security_issues across the rollout"))
        }
    }

    /// The overview's HTML, with the session's random CSRF token masked, against a committed snapshot.
    /// Set LIFTOFF_RECORD_SNAPSHOTS=1 to write it anew after an intended change, and review the diff.
    @Test func overviewSnapshot() async throws {
        let server = try await TestServer(plan: RolloutAPITests.plan)
        try await server.withClient { client in
            let cookie = try #require(try await DashboardTests.login(client, key: TestServer.keys[.operate]!))
            var html = try await DashboardTests.page(client, "/", cookie: cookie).1
            let token = DashboardTests.csrf(html)
            html = html.replacingOccurrences(of: token, with: "CSRF")
            let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots/overview.html")
            if ProcessInfo.processInfo.environment["LIFTOFF_RECORD_SNAPSHOTS"] == "1" {
                try html.write(to: path, atomically: true, encoding: .utf8)
            }
            let expected = try String(contentsOf: path, encoding: .utf8)
            #expect(html == expected, "the overview page changed; record the snapshot again if that was intended")
        }
    }
}
