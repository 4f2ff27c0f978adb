import Foundation
import LiftoffStore
import ServiceLifecycle

/// Every tick (a second by default) advances the guardrails, then looks at the gate and promotes phases
/// marked `promotion: auto` once it holds — on the leader only, so each decision is made once. On a shared
/// store every node first re-reads the rollout state, so what another node changed (a promotion, a rollback,
/// an override, an invitation) reaches this node's `/v1/evaluate` within a tick.
struct RolloutTicker: Service {
    let controller: RolloutCoordinator
    let guardrails: GuardrailEvaluator
    let state: RolloutState
    let store: any Store
    let cluster: any Cluster
    /// Reloaded every tick, so keys created or revoked on the data directory by `liftoff keys` apply within
    /// a second.
    let keys: KeyRing
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                try? await keys.reload()
                if cluster.isShared { try? await state.reload(from: store) }
                guard cluster.isLeader else { continue }
                await guardrails.tick()
                await controller.tick()
            }
        }
    }
}
