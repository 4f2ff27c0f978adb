import Foundation
import LiftoffAPI
import LiftoffCore

/// Where simulated traffic goes and how time passes there: an embedded server whose clock the simulator
/// moves, or a running server that lives in real time.
public protocol SimulationTarget: Sendable {
    /// Calls the server; the key needs the admin scope, since a scenario sets the rollout up (forced
    /// promotions, invitations, admissions).
    var client: LiftoffClient { get }
    /// The server's present.
    func now() -> Date
    /// Lets time pass until `date`, then has the server evaluate its rules and gate.
    func advance(to date: Date) async throws
    /// Whether the server evaluates on its own, as time passes: then an event must not reach it before its
    /// own timestamp, or a rule could act on it before it happened.
    var evaluatesOnItsOwn: Bool { get }
}

extension SimulationTarget {
    public var evaluatesOnItsOwn: Bool { false }
}

/// A server somewhere else, in real time: advancing waits.
public struct RemoteTarget: SimulationTarget {
    public let client: LiftoffClient

    public init(client: LiftoffClient) { self.client = client }

    public func now() -> Date { Date() }

    public var evaluatesOnItsOwn: Bool { true }

    public func advance(to date: Date) async throws {
        let wait = date.timeIntervalSinceNow
        if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
    }
}
