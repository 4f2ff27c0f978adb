import Foundation
import LiftoffCore
import LiftoffStore
import Testing

/// Breakdowns on every engine: events count in the whole population and in the value of each declared
/// dimension they have; values past a dimension's cap count as `other`; a user's level is their latest
/// assessed one, across batches and restarts of the lookup.
@Suite("Store conformance: segments")
struct SegmentConformanceTests {
    static let now = Timestamp.parse("2026-11-29T10:00:30Z")!
    let now = Self.now
    let minute = AggregateTable.minute(of: Self.now)
    let declared: [MetricDimension: Int] = [.feature: 2, .model: 5, .skillLevel: 5, .region: 5]

    func event(_ id: String, _ payload: EventPayload, user: String = "u1", region: String? = nil, at offset: TimeInterval = 0) -> RecordedEvent {
        RecordedEvent(event: Event(id: id, timestamp: now.addingTimeInterval(offset), userId: user, region: region, payload: payload),
                      attribution: Attribution(phase: "alpha", variant: .treatment, epoch: 0), costUsd: 0.01, dimensions: declared)
    }

    func call(_ id: String, feature: String, latency: Double, user: String = "u1", model: String = "small", region: String? = nil) -> RecordedEvent {
        event(id, .aiInteraction(AIInteraction(feature: feature, model: model, latencyMs: latency, outcome: .ok)), user: user, region: region)
    }

    func latency(_ store: any Store, _ segment: Segment?) async throws -> (count: Int, sum: Double) {
        let totals = try await store.aggregates(minutes: minute...minute, phase: "alpha", variant: nil, fromEpoch: nil,
                                                measures: [.latency], segment: segment).totals()
        return (totals[.latency]?.count ?? 0, totals[.latency]?.sum ?? 0)
    }

    @Test(arguments: StoreEngine.all)
    func eventsCountInTheirSegmentsAndPastTheCapInOther(_ engine: StoreEngine) async throws {
        try await engine.run(now) { store in
            _ = try await store.append([
                call("1", feature: "code_analysis", latency: 100, region: "eu"),
                call("2", feature: "code_analysis", latency: 300, model: "large"),
                call("3", feature: "path_generation", latency: 50, region: "eu"),
            ], receivedAt: now)
            // A second batch: the cap of two features is reached, so a third feature counts as other.
            _ = try await store.append([
                call("4", feature: "hints", latency: 7),
                call("5", feature: "quiz", latency: 11),
                call("6", feature: "path_generation", latency: 150),
            ], receivedAt: now)
            #expect(try await latency(store, nil) == (6, 618), "the whole population is every event, once")
            #expect(try await latency(store, Segment(.feature, "code_analysis")) == (2, 400))
            #expect(try await latency(store, Segment(.feature, "path_generation")) == (2, 200))
            #expect(try await latency(store, Segment(.feature, "other")) == (2, 18))
            #expect(try await latency(store, Segment(.feature, "hints")) == (0, 0))
            #expect(try await latency(store, Segment(.model, "large")) == (1, 300))
            #expect(try await latency(store, Segment(.region, "eu")) == (2, 150))
            let values = try await store.dimensionValues()
            #expect(values[.feature] == ["code_analysis", "path_generation"])
            #expect(values[.model] == ["small", "large"])
            #expect(values[.region] == ["eu"])
            // Users are distinct per segment too.
            let users = try await store.aggregates(minutes: minute...minute, phase: nil, variant: nil, fromEpoch: nil, measures: [.users],
                                                   segment: Segment(.model, "small")).totals()
            #expect(users[.users]?.distinct?.count == 1)
        }
    }

    @Test(arguments: StoreEngine.all)
    func aUsersLevelIsTheirLatestAssessedOne(_ engine: StoreEngine) async throws {
        try await engine.run(now) { store in
            _ = try await store.append([
                call("before", feature: "code_analysis", latency: 1, user: "ada"),
                event("a1", .assessment(Assessment(skill: "loops", score: 0.4, level: "beginner")), user: "ada", at: 1),
                call("after", feature: "code_analysis", latency: 2, user: "ada"),
            ], receivedAt: now)
            _ = try await store.append([
                call("next-batch", feature: "code_analysis", latency: 4, user: "ada"),
                event("a2", .assessment(Assessment(skill: "loops", score: 0.8, level: "intermediate")), user: "ada", at: 2),
                // A late assessment (earlier than a2) does not replace the newer level.
                event("a0", .assessment(Assessment(skill: "arrays", score: 0.1, level: "novice")), user: "ada", at: -20),
                call("last", feature: "code_analysis", latency: 8, user: "ada"),
                call("other-user", feature: "code_analysis", latency: 16, user: "bo"),
            ], receivedAt: now)
            #expect(try await latency(store, Segment(.skillLevel, "beginner")) == (2, 6))
            #expect(try await latency(store, Segment(.skillLevel, "intermediate")) == (1, 8))
            let levels = try await store.aggregates(minutes: minute.advanced(by: -1)...minute, phase: nil, variant: nil, fromEpoch: nil,
                                                    measures: [.assessmentScore], segment: Segment(.skillLevel, "novice")).totals()
            #expect(levels[.assessmentScore]?.count == 1, "an assessment counts under the level it measured")
        }
    }

    @Test(arguments: StoreEngine.all)
    func undeclaredDimensionsKeepNothingExtra(_ engine: StoreEngine) async throws {
        try await engine.run(now) { store in
            var plain = call("1", feature: "code_analysis", latency: 100, region: "eu")
            plain.dimensions = [:]
            _ = try await store.append([plain], receivedAt: now)
            #expect(try await latency(store, nil) == (1, 100))
            #expect(try await latency(store, Segment(.feature, "code_analysis")) == (0, 0))
            #expect(try await store.dimensionValues().isEmpty)
        }
    }

    @Test(arguments: StoreEngine.all)
    func completionStepsAreAWindowsCompletionsOldestFirst(_ engine: StoreEngine) async throws {
        try await engine.run(now) { store in
            func done(_ id: String, _ item: String, user: String, completed: Bool = true, at offset: TimeInterval) -> RecordedEvent {
                event(id, .completion(Completion(item: .lesson, itemId: item, completed: completed)), user: user, at: offset)
            }
            var control = done("5", "intro", user: "u3", at: -20)
            control.attribution.variant = .control
            _ = try await store.append([
                done("1", "loops", user: "u1", at: -10), done("2", "intro", user: "u1", at: -30),
                done("3", "intro", user: "u2", completed: false, at: -20), control,
                done("4", "late", user: "u2", at: 3600),
                call("6", feature: "code_analysis", latency: 1),
            ], receivedAt: now)
            let steps = try await store.completionSteps(from: now.addingTimeInterval(-60), to: now, phase: "alpha", variant: .treatment, limit: 10)
            #expect(steps.map(\.itemId) == ["intro", "intro", "loops"])
            #expect(steps.map(\.userId) == ["u1", "u2", "u1"])
            #expect(steps.map(\.completed) == [true, false, true])
            #expect(steps.first?.at == now.addingTimeInterval(-30))
            let both = try await store.completionSteps(from: now.addingTimeInterval(-60), to: now, phase: nil, variant: nil, limit: 2)
            #expect(both.count == 2, "the limit holds")
            #expect(try await store.completionSteps(from: now, to: now.addingTimeInterval(60), phase: "beta", variant: nil, limit: 10).isEmpty)
        }
    }
}
