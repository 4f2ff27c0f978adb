import Foundation
import LiftoffStore
import Logging
import PostgresNIO
import Synchronization

/// Leadership among the nodes sharing one PostgreSQL database: the leader is the node whose heartbeat
/// connection holds a session advisory lock. PostgreSQL releases the lock the moment that connection ends —
/// the process killed, the network gone — and another node takes it on its next beat (every `beat`, one
/// second by default), so a failover takes about a beat. A node that loses its connection stops leading at
/// once, before it reconnects.
public final class PostgresCluster: Cluster {
    /// The two int4 halves of the leadership lock (`pg_try_advisory_lock(int4, int4)`), readable in pg_locks
    /// as classid and objid with objsubid 2.
    static let lockSpace: Int32 = 0x4C69_6674 // "Lift"
    static let leaderLock: Int32 = 2

    public let node: String
    let client: PostgresClient
    let logger: Logger
    let beat: Duration
    /// Nodes not heard from for this long are left out of `members()`.
    let forgetAfter: Duration
    private let leading = Mutex(false)

    public init(store: PostgresStore, beat: Duration = .seconds(1), forgetAfter: Duration = .seconds(10)) {
        self.node = store.node
        self.client = store.client
        self.logger = store.logger
        self.beat = beat
        self.forgetAfter = forgetAfter
    }

    public var isShared: Bool { true }
    public var isLeader: Bool { leading.withLock { $0 } }

    /// The channel the database notifies on every change of shared state (migration 6's triggers).
    static let changes = "liftoff_state"

    public func run(stateVersion: @escaping @Sendable () -> Int, onChange: @escaping @Sendable () async -> Void) async throws {
        let started = Milliseconds.from(Date())
        while !Task.isCancelled {
            do {
                // One connection for the node's whole life: the lock belongs to it.
                try await client.withConnection { connection in
                    let pid = try await Deadline.run(beat * 3) {
                        var pid: Int32 = 0
                        for try await value in try await connection.query("SELECT pg_backend_pid()", logger: self.logger).decode(Int32.self) {
                            pid = value
                        }
                        return pid
                    }
                    do {
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask {
                                while !Task.isCancelled {
                                    // A beat that does not come back in time ends the leadership: the lock may
                                    // already be gone with the connection, and two leaders would act twice.
                                    let version = stateVersion()
                                    try await Deadline.run(self.beat * 3) {
                                        try await self.heartbeat(connection, pid: pid, started: started, version: version)
                                    }
                                    try await Task.sleep(for: self.beat)
                                }
                            }
                            group.addTask {
                                // Another node's change reaches this one now, not at its next tick.
                                try await connection.listen(on: Self.changes) { notifications in
                                    for try await _ in notifications { await onChange() }
                                }
                            }
                            defer { group.cancelAll() }
                            try await group.next()
                        }
                    } catch {
                        leading.withLock { $0 = false }
                        if !(error is CancellationError) {
                            // Never hand a connection that failed mid-beat back to the pool (and with it the lock).
                            _ = try? await Deadline.run(.seconds(1)) { try await connection.close() }
                        }
                        throw error
                    }
                }
            } catch is CancellationError {
                break
            } catch {
                if leading.withLock({ $0 }) {
                    logger.warning("lost the leadership: the database connection failed", metadata: ["node": "\(node)"])
                }
                leading.withLock { $0 = false }
                if Task.isCancelled { break }
                try? await Task.sleep(for: beat)
            }
        }
        leading.withLock { $0 = false }
    }

    private func heartbeat(_ connection: PostgresConnection, pid: Int32, started: Int64, version: Int) async throws {
        let wasLeading = leading.withLock { $0 }
        var nowLeading = wasLeading
        if !wasLeading {
            for try await taken in try await connection.query(
                "SELECT pg_try_advisory_lock(\(Self.lockSpace), \(Self.leaderLock))", logger: logger).decode(Bool.self) {
                nowLeading = taken
            }
        }
        try await connection.query("""
            INSERT INTO cluster_nodes (id, started_at, last_seen, backend_pid, version)
            VALUES (\(node), \(started), (extract(epoch FROM clock_timestamp()) * 1000)::bigint, \(pid), \(version))
            ON CONFLICT (id) DO UPDATE SET last_seen = EXCLUDED.last_seen, backend_pid = EXCLUDED.backend_pid, version = EXCLUDED.version
            """, logger: logger)
        if nowLeading != wasLeading {
            leading.withLock { $0 = nowLeading }
            logger.notice("this node now leads: it runs the evaluator, the notifier and retention", metadata: ["node": "\(node)"])
        }
    }

    public func members() async throws -> [ClusterMember] {
        let window = Int64(forgetAfter.components.seconds * 1000)
        do {
            return try await client.query("""
                SELECT n.id, n.version, n.last_seen,
                       EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.pid = n.backend_pid
                               AND l.classid = \(Int64(Self.lockSpace))::oid AND l.objid = \(Int64(Self.leaderLock))::oid AND l.objsubid = 2)
                FROM cluster_nodes n
                WHERE n.last_seen >= (extract(epoch FROM clock_timestamp()) * 1000)::bigint - \(window)
                ORDER BY n.id
                """, logger: logger).collect().map { row in
                let (id, version, lastSeen, leader) = try row.decode((String, Int, Int64, Bool).self)
                return ClusterMember(id: id, leader: leader, version: version, lastSeen: Milliseconds.date(lastSeen))
            }
        } catch {
            throw PostgresStore.translate(error)
        }
    }
}
