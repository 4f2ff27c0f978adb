import Foundation
import LiftoffCore
import Testing
@testable import LiftoffSimulator

@Suite("Traffic generators match their parameters")
struct GeneratorTests {
    static let start = Timestamp.parse("2026-11-29T09:00:00Z")!

    /// Sessions of a 200-learner cohort over 10 days, fixed seed.
    static func traffic(model: PlatformModel = PlatformModel(), seed: UInt64 = 7) -> [JSONValue] {
        var random = SeededRandom(seed: seed)
        var learners = Learner.cohort(200, prefix: "u", random: &random)
        let generator = SessionGenerator(model: model)
        var events: [JSONValue] = []
        for day in 0..<10 {
            for index in learners.indices where random.chance(learners[index].dailyActivity) {
                events += generator.session(for: &learners[index], startingAt: start.addingTimeInterval(Double(day) * 86_400), random: &random)
            }
        }
        return events
    }

    static func interactions(_ events: [JSONValue]) -> [[String: JSONValue]] {
        events.compactMap { if case .object(let o) = $0, o["type"] == .string("ai_interaction") { o } else { nil } }
    }

    static func number(_ value: JSONValue?) -> Double? { if case .number(let n)? = value { n } else { nil } }

    @Test func theSameSeedGivesTheSameTraffic() {
        #expect(Self.traffic(seed: 3) == Self.traffic(seed: 3))
        #expect(Self.traffic(seed: 3) != Self.traffic(seed: 4))
    }

    @Test func everyEventIsValidForTheIngestAPI() throws {
        let validator = EventValidator()
        let now = Self.start.addingTimeInterval(30 * 86_400)
        var ids = Set<String>()
        for event in Self.traffic() {
            _ = try validator.validate(event, now: now)
            if case .string(let id)? = event["id"] { #expect(ids.insert(id).inserted, "duplicate id \(id)") }
        }
    }

    /// About the conversion share of learners subscribe, once each at their first session, at the model's price;
    /// the payments draw nothing from the run's random numbers, so every other event is what it was without them.
    @Test func aShareOfLearnersSubscribesOnceWithoutChangingTheRestOfTheTraffic() {
        let traffic = Self.traffic()
        let payments = traffic.filter { $0["type"] == .string("payment") }
        let payers = payments.compactMap { if case .string(let user)? = $0["userId"] { user } else { nil } }
        #expect(Set(payers).count == payers.count)
        let learners = Set(traffic.compactMap { if case .string(let user)? = $0["userId"] { user } else { nil } })
        let share = Double(payers.count) / Double(learners.count)
        #expect(abs(share - 0.3) < 0.08, "share \(share) of \(learners.count)")
        #expect(payments.allSatisfy { Self.number($0["amountUsd"]) == 12 && $0["kind"] == .string("subscription") })
        var model = PlatformModel()
        model.subscriptionConversion = 0
        #expect(Self.traffic(model: model) == traffic.filter { $0["type"] != .string("payment") })
    }

    /// Visual aids under 30% of tutoring answers and 20% of code analyses, rated helpful or not under 40% of
    /// them; a progress check after every completion. Neither draws from the run's random numbers, so the rest of
    /// a seed's traffic is what it was before they were simulated.
    @Test func visualAidsAndProgressChecksComeWithoutChangingTheRestOfTheTraffic() {
        let traffic = Self.traffic()
        let interactions = Self.interactions(traffic)
        let visual = traffic.filter { $0["type"] == .string("feedback") && $0["feature"] == .string("visual_aids") }
        let tutoring = Double(interactions.filter { $0["feature"] == .string("tutoring_chat") }.count)
        let analyses = Double(interactions.filter { $0["feature"] == .string("code_analysis") }.count)
        let expected = (tutoring * 0.3 + analyses * 0.2) * 0.4
        #expect(abs(Double(visual.count) - expected) < 4 * sqrt(expected), "\(visual.count) visual-aid answers, expected about \(expected)")
        let helpful = Double(visual.filter { $0["helpful"] == .bool(true) }.count) / Double(visual.count)
        #expect(helpful > 0.85 && helpful < 0.95, "helpful share \(helpful)")
        let checks = traffic.filter { $0["type"] == .string("integrity_check") }
        #expect(checks.count == traffic.filter { $0["type"] == .string("completion") }.count)
        #expect(checks.allSatisfy { $0["passed"] == .bool(true) && $0["feature"] == .string("progress_tracking") })
        var model = PlatformModel()
        model.progressTrackingAccuracy = 0.9
        let failed = Self.traffic(model: model).filter { $0["type"] == .string("integrity_check") && $0["passed"] == .bool(false) }
        #expect(abs(Double(failed.count) / Double(checks.count) - 0.1) < 0.03)
        model = PlatformModel()
        model.visualAidShare = [:]
        #expect(Self.traffic(model: model) == traffic.filter { !visual.contains($0) })
    }

    /// Every event carries its learner's region, the same for all of a learner's events, spread over the four.
    @Test func eachLearnerHasOneRegion() {
        var regions: [String: Set<String>] = [:]
        for event in Self.traffic() {
            guard case .string(let user)? = event["userId"], case .string(let region)? = event["region"] else {
                Issue.record("an event without user or region")
                continue
            }
            regions[user, default: []].insert(region)
        }
        #expect(regions.values.allSatisfy { $0.count == 1 })
        let counts = Dictionary(grouping: regions.values.compactMap(\.first), by: { $0 }).mapValues(\.count)
        #expect(Set(counts.keys) == ["eu-west", "us-east", "latam", "apac"])
        #expect((counts["eu-west"] ?? 0) > (counts["apac"] ?? 0))
    }

    /// Cached input tokens are each feature's share of its input tokens, never more than them; they change no
    /// other field of the traffic.
    @Test func cachedTokensArePartOfTheInput() throws {
        let calls = Self.interactions(Self.traffic())
        for call in calls.prefix(2000) {
            let input = try #require(Self.number(call["inputTokens"])), cached = try #require(Self.number(call["cachedInputTokens"]))
            guard case .string(let name)? = call["feature"], let feature = PlatformModel.Feature(rawValue: name) else {
                Issue.record("a call without a feature")
                continue
            }
            #expect(cached <= input && cached == (input * PlatformModel().cachedInputShare[feature]!).rounded(.down))
        }
        var model = PlatformModel()
        model.cachedInputShare = [:]
        let uncached = Self.interactions(Self.traffic(model: model))
        #expect(uncached.map { $0.filter { $0.key != "cachedInputTokens" } } == calls.map { $0.filter { $0.key != "cachedInputTokens" } })
    }

    /// Learners work through the course in order: an item is attempted only after every one before it was
    /// completed (or is the last one completed, revisited), at the item's completion rate.
    @Test func completionsFollowTheCourse() throws {
        let course = PlatformModel().curriculum.map(\.id)
        var done: [String: Int] = [:]
        var attempts: [String: (Int, Int)] = [:]
        for event in Self.traffic() where event["type"] == .string("completion") {
            guard case .string(let user)? = event["userId"], case .string(let item)? = event["itemId"],
                  case .bool(let completed)? = event["completed"], let position = course.firstIndex(of: item) else {
                Issue.record("a completion outside the course: \(event)")
                continue
            }
            let reached = done[user, default: 0]
            #expect(position == reached % course.count || position == (reached - 1) % course.count, "\(user) at \(item) after \(reached)")
            if completed && position == reached % course.count { done[user] = reached + 1 }
            let (tries, completions) = attempts[item, default: (0, 0)]
            attempts[item] = (tries + 1, completions + (completed ? 1 : 0))
        }
        let rate = { (item: String) in Double(attempts[item]!.1) / Double(attempts[item]!.0) }
        #expect(abs(rate("lesson-variables") - 0.8) < 0.06)
        #expect((attempts["project-calculator"]?.0 ?? 0) > 30, "ten days take learners past the first project")
    }

    /// The AI's placement matches the measured level for about the model's share of learners.
    @Test func placementsAgreeAtTheModelsAccuracy() {
        let assessments = Self.traffic().filter { $0["type"] == .string("assessment") }
        let learners = Dictionary(assessments.compactMap { event -> (String, Bool)? in
            guard case .string(let user)? = event["userId"], case .string(let level)? = event["level"],
                  case .string(let predicted)? = event["predictedLevel"] else { return nil }
            return (user, level == predicted)
        }, uniquingKeysWith: { first, _ in first })
        #expect(learners.count > 150)
        let agreeing = Double(learners.values.filter { $0 }.count) / Double(learners.count)
        #expect(abs(agreeing - 0.85) < 0.08, "\(agreeing)")
    }

    @Test func latencyFollowsTheLogNormal() {
        var model = PlatformModel()
        model.latency = .init(medianMs: 1200, sigma: 0.4)
        let latencies = Self.interactions(Self.traffic(model: model)).compactMap { Self.number($0["latencyMs"]) }.sorted()
        #expect(latencies.count > 3000)
        let median = latencies[latencies.count / 2]
        #expect(abs(median - 1200) / 1200 < 0.05, "median \(median)")
        // The 84th percentile of a log-normal sits one sigma above the median.
        let p84 = latencies[Int(Double(latencies.count) * 0.8413)]
        #expect(abs(log(p84 / median) - 0.4) < 0.05, "p84 \(p84)")
    }

    @Test func outcomesAndFeedbackFollowTheirRates() {
        var model = PlatformModel()
        model.outcomes = [.timeout: 0.04, .apiError: 0.01, .invalidResponse: 0, .rateLimited: 0]
        model.feedbackProbability = 0.2
        let events = Self.traffic(model: model)
        let interactions = Self.interactions(events)
        let n = Double(interactions.count)
        let timeouts = Double(interactions.filter { $0["outcome"] == .string("timeout") }.count)
        // Within four standard errors of the configured rate.
        #expect(abs(timeouts / n - 0.04) < 4 * sqrt(0.04 * 0.96 / n))
        // The answers' own feedback; a visual aid's has its feature and its own rate (below).
        let feedback = Double(events.filter { $0["type"] == .string("feedback") && $0["feature"] == nil }.count)
        #expect(abs(feedback / n - 0.2) < 4 * sqrt(0.2 * 0.8 / n))
    }

    @Test func ratingsFollowAnswerQuality() {
        var random = SeededRandom(seed: 1)
        let good = (0..<2000).map { _ in PlatformModel.rating(relevance: 0.95, random: &random) }
        let poor = (0..<2000).map { _ in PlatformModel.rating(relevance: 0.7, random: &random) }
        let mean = { (ratings: [Int]) in Double(ratings.reduce(0, +)) / Double(ratings.count) }
        #expect(mean(good) > 4.3)
        #expect(mean(poor) < 3.0)
        #expect((good + poor).allSatisfy { (1...5).contains($0) })
    }

    @Test func scoresRiseWithPractice() {
        var random = SeededRandom(seed: 5)
        var learner = Learner(id: "x", level: .beginner, dailyActivity: 1)
        let generator = SessionGenerator()
        var scores: [Double] = []
        for day in 0..<30 {
            for event in generator.session(for: &learner, startingAt: Self.start.addingTimeInterval(Double(day) * 86_400), random: &random)
            where event["type"] == .string("assessment") {
                if let score = Self.number(event["score"]) { scores.append(score) }
            }
        }
        let half = scores.count / 2
        let early = scores.prefix(half).reduce(0, +) / Double(half)
        let late = scores.suffix(half).reduce(0, +) / Double(half)
        #expect(late > early + 0.1, "early \(early), late \(late)")
    }
}
