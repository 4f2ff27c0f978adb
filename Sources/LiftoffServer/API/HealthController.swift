import Hummingbird
import LiftoffAPI
import LiftoffStore

/// Liveness and readiness, open to probes without a key. A node whose store cannot be reached is still
/// ready, but degraded: its `/v1/evaluate` answers from the last known state (stale is better than down for
/// the app), so a load balancer should keep sending it traffic; writes answer 503 with Retry-After.
struct HealthController {
    let store: any Store
    let state: RolloutState

    func addRoutes(to routes: inout ScopedRoutes) {
        routes.addOpen(.get, "/healthz") { _, _ in
            try JSONBody.response(HealthStatus(status: "ok"))
        }
        let store = self.store
        let state = self.state
        routes.addOpen(.get, "/readyz") { _, _ in
            do {
                try await store.ping()
                return try JSONBody.response(HealthStatus(status: "ready"))
            } catch {
                let version = state.snapshot.record.version
                return try JSONBody.response(HealthStatus(
                    status: "degraded",
                    detail: "the store cannot be reached (\(error)); /v1/evaluate answers from rollout state version \(version), "
                        + "ingest and changes answer 503 with Retry-After until it is back"))
            }
        }
    }
}
