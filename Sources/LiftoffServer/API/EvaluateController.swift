import Foundation
import Hummingbird
import LiftoffCore

/// `POST /v1/evaluate`: whether a user gets the new experience, answered from the in-memory snapshot.
struct EvaluateController {
    let state: RolloutState

    struct Query: Decodable {
        var userId: String
        /// Accepted for forward compatibility with targeting rules; not used to decide yet.
        var attributes: [String: JSONValue]?
    }

    struct Answer: Encodable {
        var enabled: Bool
        var variant: Variant
        var phase: String
        var reason: String
        var config: [String: JSONValue]
    }

    func addRoutes(to routes: inout ScopedRoutes) {
        let state = self.state
        routes.add(.post, "/v1/evaluate", scope: .ingest) { request, _, _ in
            let query = try await RequestJSON.decode(Query.self, from: request)
            let decision = state.decide(try RequestJSON.userId(query.userId))
            return try JSONBody.response(Answer(enabled: decision.enabled, variant: decision.variant, phase: decision.phase,
                                                reason: decision.reason, config: decision.config))
        }
    }
}
