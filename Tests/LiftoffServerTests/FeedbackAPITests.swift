import Foundation
import LiftoffAPI
import Hummingbird
import HummingbirdTesting
import LiftoffCore
import Testing
@testable import LiftoffServer

@Suite("GET /v1/feedback")
struct FeedbackAPITests {
    @Test func filtersSearchesAndPages() async throws {
        let server = try await TestServer(plan: RolloutAPITests.plan)
        try await server.withClient { client in
            _ = try await client.request(.post, "/v1/events", json: """
                {"events":[
                  {"type":"feedback","userId":"dev-1","sessionId":"s1","rating":5,"relevant":true,"interactionId":"i1","suggestion":"More EXAMPLES please"},
                  {"type":"feedback","userId":"someone","sessionId":"s2","rating":2,"usability":3,"suggestion":"too slow"},
                  {"type":"feedback","userId":"dev-2","rating":4,"helpful":true},
                  {"type":"ai_interaction","userId":"dev-1","latencyMs":100,"outcome":"ok"}
                ]}
                """)
            let all = try await client.request(.get, "/v1/feedback", key: TestServer.keys[.read])
            let items = try all.decode(FeedbackPage.self).feedback
            #expect(items.count == 3)
            #expect(items.first?.userId == "dev-2")
            let first = try #require(items.last)
            #expect(first.sessionId == "s1")
            #expect(first.suggestions == ["More EXAMPLES please"])
            #expect(first.aiResponses.first?.interactionId == "i1")
            #expect(first.variant == .treatment)

            let search = try await client.request(.get, "/v1/feedback?q=examples", key: TestServer.keys[.read])
            #expect(search.decoded(FeedbackPage.self)?.feedback.count == 1)
            let control = try await client.request(.get, "/v1/feedback?variant=control", key: TestServer.keys[.read])
            #expect(control.decoded(FeedbackPage.self)?.feedback.first?.usability == 3)
            let low = try await client.request(.get, "/v1/feedback?rating=2", key: TestServer.keys[.read])
            #expect(low.decoded(FeedbackPage.self)?.feedback.count == 1)

            let page = try await client.request(.get, "/v1/feedback?limit=2", key: TestServer.keys[.read])
            #expect(page.decoded(FeedbackPage.self)?.feedback.count == 2)
            let next = try #require(page.decoded(FeedbackPage.self)?.next)
            let rest = try await client.request(.get, "/v1/feedback?limit=2&before=\(next)", key: TestServer.keys[.read])
            #expect(rest.decoded(FeedbackPage.self)?.feedback.count == 1)
            // The last page has no `next` member at all.
            #expect(rest.wire["next"] == nil)
            #expect(try await client.request(.get, "/v1/feedback?rating=9", key: TestServer.keys[.read]).status == .badRequest)
        }
    }
}
