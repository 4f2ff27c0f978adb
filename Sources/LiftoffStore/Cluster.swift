import Foundation

/// How a server learns whether it leads and who else shares its store. Exactly one node leads: it alone runs
/// the guardrail evaluator, automatic promotion, the notifier and retention, so each decision and each message
/// is made once however many nodes serve the API. Every node serves ingest, `/v1/evaluate` and the rest.
public protocol Cluster: Sendable {
    /// This node's id, as `/v1/cluster` shows it.
    var node: String { get }
    /// Whether other nodes may change the store: then each node re-reads the rollout state every tick
    /// instead of trusting what it last wrote.
    var isShared: Bool { get }
    /// Whether this node leads now. May turn false at any moment (a lost connection ends a lease).
    var isLeader: Bool { get }
    /// Runs until cancelled: takes the leadership when it is free, keeps it while it can, tells the others this
    /// node is alive and which rollout state version it serves (`stateVersion`, read on each beat), and calls
    /// `onChange` as soon as another node changes shared state (rollout, audience, overrides, keys).
    func run(stateVersion: @escaping @Sendable () -> Int, onChange: @escaping @Sendable () async -> Void) async throws
    /// The nodes seen lately, this one included, in id order.
    func members() async throws -> [ClusterMember]
}

/// One node as the cluster sees it.
public struct ClusterMember: Sendable, Equatable {
    public var id: String
    public var leader: Bool
    /// The rollout state version the node serves: equal on every node once a change has reached them all.
    public var version: Int
    public var lastSeen: Date

    public init(id: String, leader: Bool, version: Int, lastSeen: Date) {
        self.id = id
        self.leader = leader
        self.version = version
        self.lastSeen = lastSeen
    }
}

/// The one node of an embedded store: always the leader, nobody else to hear from.
public final class SingleNode: Cluster {
    public let node: String
    private let clock: @Sendable () -> Date

    public init(node: String = "local", clock: @escaping @Sendable () -> Date = Date.init) {
        self.node = node
        self.clock = clock
    }

    public var isShared: Bool { false }
    public var isLeader: Bool { true }

    /// Nothing to keep: returns at once.
    public func run(stateVersion: @escaping @Sendable () -> Int, onChange: @escaping @Sendable () async -> Void) async throws {}

    /// This node alone; its version is 0 here, and the server answers with the version it serves.
    public func members() async throws -> [ClusterMember] {
        [ClusterMember(id: node, leader: true, version: 0, lastSeen: clock())]
    }
}
