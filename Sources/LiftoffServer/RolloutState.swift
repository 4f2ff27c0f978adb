import Foundation
import LiftoffCore
import LiftoffStore
import Synchronization

/// The live rollout as the hot paths see it: kept in memory, replaced as a whole on every change, so
/// attributing an event or answering a flag request never waits for the database.
final class RolloutState: Sendable {
    struct Snapshot: Sendable {
        /// The phase events are attributed to now.
        var phase: String
        var phaseStartedAt: Date
        var history: [PhaseRecord]
    }

    /// The phase of a server started without a plan: one phase, everyone in control.
    static let defaultPhase = "default"

    private let current: Mutex<Snapshot>

    private init(_ snapshot: Snapshot) {
        current = Mutex(snapshot)
    }

    /// Loads the rollout from `store`, starting its first phase at `now` on a new data directory.
    static func load(store: any Store, firstPhase: String, now: Date) async throws -> RolloutState {
        var history = try await store.phaseHistory()
        if history.isEmpty {
            try await store.startPhase(firstPhase, at: now)
            history = try await store.phaseHistory()
        }
        let last = history[history.count - 1]
        return RolloutState(Snapshot(phase: last.phase, phaseStartedAt: last.startedAt, history: history))
    }

    var snapshot: Snapshot { current.withLock { $0 } }

    /// Where an event from `userId` counts. Without a plan every user is in control: nobody has been given
    /// the new experience, so nothing may be credited to it.
    func attribution(for userId: String?) -> Attribution {
        Attribution(phase: current.withLock { $0.phase }, variant: .control)
    }
}
