import Foundation
import LiftoffAPI
import Hummingbird
import LiftoffCore

/// `POST /v1/evaluate`: whether a user gets the new experience, answered from the in-memory snapshot.
struct EvaluateController {
    let state: RolloutState

    func addRoutes(to routes: inout ScopedRoutes) {
        let state = self.state
        routes.add(.post, "/v1/evaluate", scope: .ingest) { request, _, _ in
            let query = try await RequestJSON.decode(EvaluateRequest.self, from: request)
            let decision = state.decide(try RequestJSON.userId(query.userId))
            return try JSONBody.response(EvaluateAnswer(enabled: decision.enabled, variant: decision.variant, phase: decision.phase,
                                                reason: decision.reason, config: decision.config))
        }
    }
}
