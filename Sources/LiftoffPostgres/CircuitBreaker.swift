import Synchronization

/// Fails fast while the database is down: after a failure that says the database cannot be reached, only one
/// operation per `probeInterval` is let through to try again (half-open), and the first success closes the
/// breaker. Without it every request would wait out the full timeout while PostgreSQL restarts.
final class CircuitBreaker: Sendable {
    private struct State {
        var openSince: ContinuousClock.Instant?
        var lastProbe: ContinuousClock.Instant?
    }

    let probeInterval: Duration
    private let state = Mutex(State())

    init(probeInterval: Duration = .seconds(1)) {
        self.probeInterval = probeInterval
    }

    /// Whether an operation may try the database now; when open, how long it has been open otherwise.
    func admit(at now: ContinuousClock.Instant = .now) -> Duration? {
        state.withLock { state in
            guard let openSince = state.openSince else { return nil }
            if let lastProbe = state.lastProbe, now - lastProbe < probeInterval { return now - openSince }
            state.lastProbe = now
            return nil
        }
    }

    func succeeded() {
        state.withLock { $0 = State() }
    }

    func failed(at now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            if state.openSince == nil { state.openSince = now }
            state.lastProbe = now
        }
    }

    var isOpen: Bool { state.withLock { $0.openSince != nil } }
}
