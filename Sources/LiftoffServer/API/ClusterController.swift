import Foundation
import Hummingbird
import LiftoffAPI
import LiftoffStore

/// `GET /v1/cluster`: which nodes serve the rollout, which one leads, and the state version each serves.
struct ClusterController {
    let cluster: any Cluster
    let state: RolloutState

    func addRoutes(to routes: inout ScopedRoutes) {
        let cluster = self.cluster
        let state = self.state
        routes.add(.get, "/v1/cluster", scope: .read) { _, _, _ in
            let members = try await cluster.members()
            // This node's own version is known exactly, not as of its last heartbeat.
            let served = state.snapshot.record.version
            return try JSONBody.response(ClusterView(
                node: cluster.node,
                nodes: members.map {
                    ClusterNodeView(id: $0.id, leader: $0.leader, version: $0.id == cluster.node ? served : $0.version, lastSeen: $0.lastSeen)
                }))
        }
    }
}
