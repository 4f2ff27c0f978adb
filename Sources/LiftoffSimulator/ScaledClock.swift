import Foundation
import LiftoffCore
import Synchronization

/// The machine's clock sped up: `rate` seconds pass for every real second, from the moment it starts. The
/// demo runs a four-phase rollout in minutes with it, then slows it to real time for browsing.
public final class ScaledClock: WallClock {
    private struct Anchor {
        var real: Date
        var simulated: Date
        var rate: Double
    }

    private let anchor: Mutex<Anchor>

    public init(rate: Double, start: Date = Date()) {
        anchor = Mutex(Anchor(real: Date(), simulated: start, rate: rate))
    }

    public func now() -> Date {
        anchor.withLock { Self.now($0) }
    }

    /// Changes the speed from now on, without a jump.
    public func setRate(_ rate: Double) {
        anchor.withLock { anchor in
            anchor = Anchor(real: Date(), simulated: Self.now(anchor), rate: rate)
        }
    }

    private static func now(_ anchor: Anchor) -> Date {
        anchor.simulated.addingTimeInterval(Date().timeIntervalSince(anchor.real) * anchor.rate)
    }
}
