import Foundation
import ServiceLifecycle

/// Looks at the gate on a fixed interval and promotes phases marked `promotion: auto` once it holds.
struct RolloutTicker: Service {
    let controller: RolloutController
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                await controller.tick()
            }
        }
    }
}
