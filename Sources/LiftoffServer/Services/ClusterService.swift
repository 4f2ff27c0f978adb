import LiftoffStore
import ServiceLifecycle

/// Keeps this node in its cluster: the leadership lease and the heartbeat that `/v1/cluster` reads.
struct ClusterService: Service {
    let cluster: any Cluster
    let state: RolloutState

    func run() async throws {
        let state = self.state
        await cancelWhenGracefulShutdown {
            try? await cluster.run(stateVersion: { state.snapshot.record.version })
        }
        // A single node has nothing to keep, but a service that returned early would stop the whole server.
        if !cluster.isShared { try? await gracefulShutdown() }
    }
}
