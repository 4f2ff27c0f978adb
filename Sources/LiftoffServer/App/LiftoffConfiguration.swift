import Foundation
import LiftoffCore
import LiftoffStore

/// Everything a server needs, passed in explicitly: only the executable reads the environment.
public struct LiftoffConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port (tests).
    public var port: Int
    /// The data directory: the embedded SQLite database lives here unless `store` names another place.
    public var dataDirectory: URL
    /// The engine and place of the store; by default the SQLite file `liftoff.sqlite` in the data directory.
    public var store: StoreLocation {
        get { explicitStore ?? .sqlite(path: databasePath) }
        set { explicitStore = newValue }
    }
    private var explicitStore: StoreLocation?
    /// The admin key's secret when the operator chose it (`LIFTOFF_ADMIN_KEY`); nil to generate one on
    /// first start.
    public var adminKey: String?
    /// The rollout plan; a server without one has one phase and everyone in control.
    public var plan: Plan
    /// The YAML `plan` was decoded from (`serve --plan`). With it, the plan is stored as a version and applied
    /// at start when it differs from the live one; without it (a plan built in code), a stored live version wins.
    public var planText: String?
    /// How often the gate is looked at for automatic promotion.
    public var tickInterval: Duration
    public var ingestLimits: IngestLimits
    /// A connection with no traffic for this long is closed.
    public var idleTimeout: Duration
    /// The largest request head (all header fields) accepted.
    public var maxHeaderBytes: Int
    /// Serve HTTPS directly with this PEM certificate chain and key; nil for plain HTTP (behind a proxy).
    public var tls: TLSFiles?
    /// How people and machines reach this server, for links in alerts; defaults to the listening address.
    public var externalURL: String {
        get { explicitExternalURL ?? "http://\(host):\(port)" }
        set { explicitExternalURL = newValue }
    }
    private var explicitExternalURL: String?
    public var clock: any WallClock
    /// Whether webhooks and alerts leave the machine. Off, they stay in the outbox (visible at
    /// `/v1/deliveries`): the simulator and the demo must not call the plan's real receivers.
    public var deliversMessages = true

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
        self.idleTimeout = .seconds(60)
        self.maxHeaderBytes = 32 << 10
        self.tls = nil
    }

    var databasePath: String { dataDirectory.appendingPathComponent("liftoff.sqlite").path }
}

/// A certificate chain and private key in PEM files.
public struct TLSFiles: Sendable {
    public var certificateChain: String
    public var privateKey: String

    public init(certificateChain: String, privateKey: String) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
    }
}

/// The machine's clock.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}
