import Foundation
import LiftoffAPI
import LiftoffCore

/// What `/v1/evaluate` told the app about one user.
public struct Experience: Sendable, Equatable {
    /// The new AI experience (treatment) or the old one (control).
    public var newExperience: Bool
    public var config: [String: JSONValue]

    public init(newExperience: Bool, config: [String: JSONValue] = [:]) {
        self.newExperience = newExperience
        self.config = config
    }

    static func ask(_ client: LiftoffClient, userId: String) async throws -> Experience {
        let answer = try await client.evaluate(userId)
        return Experience(newExperience: answer.enabled, config: answer.config)
    }

    /// The config's effect on the platform as the app would apply it: the economy prompt profile sends
    /// half the prompt, `maxTokens` caps answers.
    public func apply(to model: inout PlatformModel) {
        if config["promptProfile"] == .string("economy") { model.scalePrompts(by: 0.5) }
        if case .number(let cap)? = config["maxTokens"] { model.maxOutputTokens = cap }
    }
}
