import LiftoffStore
import ServiceLifecycle

/// Keeps this node in its cluster: the leadership lease and the heartbeat that `/v1/cluster` reads.
/// When another node changes shared state, this node re-reads it at once (the ticker's re-read each second
/// is the safety net for a missed notification).
struct ClusterService: Service {
    let cluster: any Cluster
    let state: RolloutState
    let store: any Store
    let keys: KeyRing

    func run() async throws {
        let (state, store, keys) = (self.state, self.store, self.keys)
        await cancelWhenGracefulShutdown {
            try? await cluster.run(stateVersion: { state.snapshot.record.version }, onChange: {
                try? await state.reload(from: store)
                try? await keys.reload()
            })
        }
        // A single node has nothing to keep, but a service that returned early would stop the whole server.
        if !cluster.isShared { try? await gracefulShutdown() }
    }
}
