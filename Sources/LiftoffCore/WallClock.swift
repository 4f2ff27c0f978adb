import Foundation
import Synchronization

/// Where everything that decides gets the time, so tests and the simulator can run weeks in seconds.
public protocol WallClock: Sendable {
    func now() -> Date
}

/// A clock that moves only when told to: for tests and simulated time.
public final class ManualClock: WallClock {
    private let current: Mutex<Date>

    public init(_ start: Date) {
        current = Mutex(start)
    }

    public func now() -> Date { current.withLock { $0 } }

    /// Moves the clock forward by `seconds`.
    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    /// Sets the clock to `date`.
    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}
