import Foundation
import ServiceLifecycle

/// Every tick (a second by default) advances the guardrails, then looks at the gate and promotes phases
/// marked `promotion: auto` once it holds.
struct RolloutTicker: Service {
    let controller: RolloutCoordinator
    let guardrails: GuardrailEvaluator
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
                await guardrails.tick()
                await controller.tick()
            }
        }
    }
}
