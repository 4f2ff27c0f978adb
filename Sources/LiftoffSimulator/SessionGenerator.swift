import Foundation
import LiftoffCore

/// Generates one learning session as the app would report it: session start and end, AI interactions by
/// feature with latency, tokens, outcome, relevance and accuracy, feedback on some answers (and on their visual
/// aids), an assessment whose score rises with practice, lesson or project completions each followed by the app's
/// check of its progress record. Events are the ingest API's JSON.
public struct SessionGenerator: Sendable {
    public var model: PlatformModel

    public init(model: PlatformModel = PlatformModel()) {
        self.model = model
    }

    public func session(for learner: inout Learner, startingAt start: Date, random: inout SeededRandom) -> [JSONValue] {
        session(for: &learner, startingAt: start, random: &random) { _ in model }
    }

    /// A session whose AI interactions each follow the model in force at their own time, so a regression
    /// that starts mid-session shows from its onset on, not from the next session.
    public func session(for learner: inout Learner, startingAt start: Date, random: inout SeededRandom,
                        modelAt: (Date) -> PlatformModel) -> [JSONValue] {
        learner.sessions += 1
        let model = modelAt(start)
        let sessionId = "\(learner.id)-s\(learner.sessions)"
        let minutes = random.logNormal(median: model.sessionMinutesMedian, sigma: 0.5)
        let count = max(1, random.poisson(mean: model.interactionsPerSession))
        var events: [JSONValue] = [event("session_start", learner, sessionId, start, [:])]
        if learner.sessions == 1 && learner.subscribes(atRate: model.subscriptionConversion) {
            events.append(event("payment", learner, sessionId, start, [
                "id": .string("\(learner.id)-subscription"), "amountUsd": .number(model.subscriptionUsd),
                "kind": .string("subscription"), "plan": .string("monthly"),
            ]))
        }
        for index in 0..<count {
            let at = start.addingTimeInterval(minutes * 60 * Double(index + 1) / Double(count + 1))
            let model = modelAt(at)
            let feature = random.pick(model.featureMix.map { ($0.key, $0.value) }.sorted { $0.0.rawValue < $1.0.rawValue })
            let outcome = random.pick([(Outcome.ok, max(0, 1 - model.errorRate))] + model.outcomes.map { ($0.key, $0.value) }.sorted { $0.0.rawValue < $1.0.rawValue })
            let relevance = min(1, max(0, random.normal(mean: model.relevance(of: feature), sd: model.relevanceSD)))
            let interactionId = "\(sessionId)-i\(index + 1)"
            // Drawn in the order they always were (latency, input, output), so a seed replays the same traffic.
            let latency = outcome == .timeout ? model.timeoutMs : random.logNormal(median: model.latency.medianMs, sigma: model.latency.sigma).rounded()
            let input = max(1, random.normal(mean: model.inputTokens[feature] ?? 500, sd: 80)).rounded()
            let output = outcome == .ok ? min(model.maxOutputTokens, max(1, random.normal(mean: model.outputTokens[feature] ?? 200, sd: 40))).rounded() : 0
            var fields: [String: JSONValue] = [
                "id": .string(interactionId), "feature": .string(feature.rawValue), "model": .string(model.model),
                "latencyMs": .number(latency), "inputTokens": .number(input), "outputTokens": .number(output),
                "cachedInputTokens": .number((input * (model.cachedInputShare[feature] ?? 0)).rounded(.down)),
                "outcome": .string(outcome.rawValue),
            ]
            if outcome == .ok {
                fields["relevance"] = .number((relevance * 1000).rounded() / 1000)
                if feature == .codeAnalysis {
                    fields["accuracy"] = .number((min(1, max(0, random.normal(mean: model.codeAccuracyMean, sd: 0.05))) * 1000).rounded() / 1000)
                }
            }
            events.append(event("ai_interaction", learner, sessionId, at, fields))
            if Self.happens(model.visualAidShare[feature] ?? 0, "visual-aid", interactionId),
               Self.happens(model.visualAidFeedbackProbability, "visual-aid-feedback", interactionId) {
                let helpful = outcome == .ok && relevance >= 0.8 && Self.happens(model.visualAidHelpfulness, "visual-aid-helps", interactionId)
                events.append(event("feedback", learner, sessionId, at.addingTimeInterval(8), [
                    "id": .string("\(interactionId)-v"), "interactionId": .string(interactionId),
                    "feature": .string(Self.visualAidsFeature), "helpful": .bool(helpful),
                ]))
            }
            if random.chance(model.feedbackProbability) {
                events.append(event("feedback", learner, sessionId, at.addingTimeInterval(5), [
                    "id": .string("\(interactionId)-f"), "interactionId": .string(interactionId),
                    "rating": .number(Double(PlatformModel.rating(relevance: outcome == .ok ? relevance : 0.3, random: &random))),
                    "relevant": .bool(outcome == .ok && relevance >= 0.8),
                ]))
            }
        }
        let end = start.addingTimeInterval(minutes * 60)
        if random.chance(0.5) {
            let score = min(1, max(0, learner.level.baseScore + model.learningRate * Double(learner.sessions) + random.normal(sd: 0.05)))
            events.append(event("assessment", learner, sessionId, end.addingTimeInterval(-30), [
                "id": .string("\(sessionId)-a"), "skill": .string("fundamentals"), "score": .number((score * 1000).rounded() / 1000),
                "level": .string(learner.level.rawValue),
                "predictedLevel": .string(learner.predictedLevel(accuracy: model.levelPredictionAccuracy).rawValue),
            ]))
        }
        let course = model.curriculum
        let revisit = !random.chance(model.courseProgressShare) && learner.completedItems > 0
        let item = course[(revisit ? learner.completedItems - 1 : learner.completedItems) % course.count]
        let completed = random.chance(item.completion)
        if completed && !revisit { learner.completedItems += 1 }
        events.append(event("completion", learner, sessionId, end.addingTimeInterval(-10), [
            "id": .string("\(sessionId)-c"), "item": .string(item.kind.rawValue), "itemId": .string(item.id), "completed": .bool(completed),
        ]))
        events.append(event("integrity_check", learner, sessionId, end.addingTimeInterval(-9), [
            "id": .string("\(sessionId)-p"), "check": .string("progress-matches-completions"),
            "feature": .string(Self.progressTrackingFeature),
            "passed": .bool(Self.happens(model.progressTrackingAccuracy, "progress-check", sessionId)),
        ]))
        events.append(event("session_end", learner, sessionId, end, ["durationSeconds": .number((minutes * 60).rounded())]))
        return events
    }

    /// The feature names of the app's visual aids and progress tracking, as its feedback and checks carry them.
    public static let visualAidsFeature = "visual_aids"
    public static let progressTrackingFeature = "progress_tracking"

    /// Whether something with chance `rate` happens to `key`, by a stable hash rather than a draw: visual aids and
    /// progress checks came after the rest of the model, and drawing for them would have changed every later
    /// value of a seed (and so the scorecard's runs).
    private static func happens(_ rate: Double, _ purpose: String, _ key: String) -> Bool {
        Double(StableHash.hash64(purpose + ":" + key) % 10_000) < rate * 10_000
    }

    private func event(_ type: String, _ learner: Learner, _ session: String, _ at: Date, _ fields: [String: JSONValue]) -> JSONValue {
        var object = fields
        object["type"] = .string(type)
        object["userId"] = .string(learner.id)
        object["sessionId"] = .string(session)
        object["region"] = .string(learner.region)
        object["timestamp"] = .string(Timestamp.format(at))
        if object["id"] == nil { object["id"] = .string("\(session)-\(type)") }
        return .object(object)
    }
}
