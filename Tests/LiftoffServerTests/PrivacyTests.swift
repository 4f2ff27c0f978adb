import Foundation
import LiftoffAPI
import GRDB
import Hummingbird
import HummingbirdTesting
import LiftoffCore
@testable import LiftoffStore
@testable import LiftoffSQLite
import Testing
@testable import LiftoffServer

@Suite("Privacy: pseudonyms and retention")
struct PrivacyTests {
    static let plan = try! PlanDecoder.decode(yaml: """
        rollout: ai-tutor
        phases:
          - name: internal
            audience: { groups: { developers: [dev-1] } }
        privacy:
          pseudonymizeUserIds: true
          retention: { events: 30d, feedbackText: 7d }
        """)

    /// What is on disk, read from the file itself (not through the store): the user ids as stored.
    func storedUsers(_ server: borrowing TestServer) throws -> [String] {
        try Self.onDisk(server) { db in try String.fetchAll(db, sql: "SELECT DISTINCT user_id FROM events WHERE user_id IS NOT NULL") }
    }

    static func onDisk<T>(_ server: borrowing TestServer, _ query: (Database) throws -> T) throws -> T {
        var configuration = Configuration()
        configuration.readonly = true
        return try DatabaseQueue(path: server.configuration.databasePath, configuration: configuration).read(query)
    }

    @Test func userIdsAreStoredAsPseudonymsAndStillCounted() async throws {
        let server = try await TestServer(plan: Self.plan)
        try await server.withClient { client in
            _ = try await client.request(.post, "/v1/events", json: RolloutAPITests.interactions(user: "dev-1", count: 3))
            _ = try await client.request(.post, "/v1/events", json: RolloutAPITests.interactions(user: "someone", count: 2))
            // The audience is decided on the real id: dev-1's events count as treatment.
            let treatment = try await client.request(.get, "/v1/metrics?names=interactions,active_users&variant=treatment")
            #expect(treatment.metric("interactions")?.value == 3)
            #expect(treatment.metric("active_users")?.value == 1)
            #expect(try await client.request(.get, "/v1/metrics?names=active_users").metric("active_users")?.value == 2)
        }
        let users = try storedUsers(server)
        #expect(users.count == 2)
        #expect(users.allSatisfy { $0.hasPrefix("p_") && $0.count == 34 })
        #expect(!users.contains("dev-1") && !users.contains("someone"))
        let database = try Data(contentsOf: server.directory.appendingPathComponent("liftoff.sqlite"))
        #expect(database.range(of: Data("someone".utf8)) == nil)
        // The same secret after a restart: the same pseudonym.
        try await server.withClient { client in
            _ = try await client.request(.post, "/v1/events", json: RolloutAPITests.interactions(user: "someone", count: 1))
        }
        #expect(try storedUsers(server).count == 2)
    }

    @Test func retentionDeletesOldEventsAndFeedbackTextButKeepsAggregates() async throws {
        let server = try await TestServer(plan: Self.plan)
        let built = try await server.build()
        let retention = built.retention
        try await built.application.test(.router) { client in
            _ = try await client.request(.post, "/v1/events", json: #"{"events":[{"type":"feedback","userId":"a","rating":4,"suggestion":"call me at 555-0100"}]}"#)
            server.clock.advance(by: 8 * 86_400)
            _ = try await client.request(.post, "/v1/events", json: #"{"events":[{"type":"feedback","userId":"b","rating":2,"suggestion":"fresh"}]}"#)
            #expect(await retention.purgeOnce() == PurgeResult(deleted: 0, redacted: 1))
            server.clock.advance(by: 23 * 86_400)
            #expect(await retention.purgeOnce() == PurgeResult(deleted: 1, redacted: 1))
            let ratings = try await client.request(.get, "/v1/metrics?window=all&names=user_satisfaction")
            #expect(ratings.metric("user_satisfaction")?.value == 3)
            let audit = (try await client.request(.get, "/v1/audit?action=retention.purge").decoded(AuditPage.self)?.entries) ?? []
            #expect(audit.count == 2)
        }
        let payloads = try Self.onDisk(server) { db in try String.fetchAll(db, sql: "SELECT payload FROM events") }
        #expect(payloads == [#"{"rating":2}"#])
    }

    @Test func retentionShorterThanADayIsRefused() {
        #expect(throws: PlanErrors.self) {
            try PlanDecoder.decode(yaml: "rollout: t\nphases: [{name: a, audience: {percentage: 1}}]\nprivacy: {retention: {events: 1h}}\n")
        }
    }
}
