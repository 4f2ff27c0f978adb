import Hummingbird
import LiftoffAPI
import LiftoffStore

/// Liveness and readiness, open to probes without a key.
struct HealthController {
    let store: any Store

    func addRoutes(to routes: inout ScopedRoutes) {
        routes.addOpen(.get, "/healthz") { _, _ in
            try JSONBody.response(HealthStatus(status: "ok"))
        }
        let store = self.store
        routes.addOpen(.get, "/readyz") { _, _ in
            do {
                try await store.ping()
                return try JSONBody.response(HealthStatus(status: "ready"))
            } catch {
                throw APIError.unavailable("the store is not reachable")
            }
        }
    }
}
