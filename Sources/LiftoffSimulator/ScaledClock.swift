import Foundation
import LiftoffCore
import Synchronization

/// The machine's clock sped up: `rate` seconds pass for every real second. It never passes the ceiling its
/// driver sets, so when the machine cannot keep up with the rate, time waits for the traffic instead of
/// running away from it (the demo then simply takes longer).
public final class ScaledClock: WallClock {
    private struct State {
        var real: Date
        var simulated: Date
        var rate: Double
        var ceiling: Date?

        func now(at real: Date) -> Date {
            simulated.addingTimeInterval(real.timeIntervalSince(self.real) * rate)
        }
    }

    private let state: Mutex<State>

    public init(rate: Double, start: Date = Date()) {
        state = Mutex(State(real: Date(), simulated: start, rate: rate))
    }

    public func now() -> Date {
        state.withLock { state in
            let real = Date()
            let scaled = state.now(at: real)
            guard let ceiling = state.ceiling, scaled > ceiling else { return scaled }
            // Held: re-anchor at the ceiling, so that lifting it later does not jump.
            state.real = real
            state.simulated = ceiling
            return ceiling
        }
    }

    /// Changes the speed from now on, without a jump.
    public func setRate(_ rate: Double) {
        let current = now()
        state.withLock { $0 = State(real: Date(), simulated: current, rate: rate, ceiling: $0.ceiling) }
    }

    /// Time stops at `ceiling` until it is raised; nil lets it run.
    public func hold(at ceiling: Date?) {
        let current = now()
        state.withLock { $0 = State(real: Date(), simulated: current, rate: $0.rate, ceiling: ceiling) }
    }
}
