import Foundation
import LiftoffCore

/// Everything a server needs, passed in explicitly: only the executable reads the environment.
public struct LiftoffConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port (tests).
    public var port: Int
    /// Where the embedded SQLite database lives; created if missing.
    public var dataDirectory: URL
    /// The admin key's secret when the operator chose it (`LIFTOFF_ADMIN_KEY`); nil to generate one on
    /// first start.
    public var adminKey: String?
    /// The rollout plan; a server without one has one phase and everyone in control.
    public var plan: Plan
    /// How often the gate is looked at for automatic promotion.
    public var tickInterval: Duration
    public var ingestLimits: IngestLimits
    /// How people and machines reach this server, for links in alerts; defaults to the listening address.
    public var externalURL: String {
        get { explicitExternalURL ?? "http://\(host):\(port)" }
        set { explicitExternalURL = newValue }
    }
    private var explicitExternalURL: String?
    public var clock: any WallClock

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: URL = URL(fileURLWithPath: ".liftoff"),
        adminKey: String? = nil, plan: Plan = .everyoneInControl, tickInterval: Duration = .seconds(1),
        ingestLimits: IngestLimits = IngestLimits(),
        clock: any WallClock = SystemClock()
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.adminKey = adminKey
        self.plan = plan
        self.tickInterval = tickInterval
        self.ingestLimits = ingestLimits
        self.clock = clock
    }

    var databasePath: String { dataDirectory.appendingPathComponent("liftoff.sqlite").path }
}

/// The machine's clock.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}
