import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffServer
import LiftoffSQLite
import Logging
import ServiceLifecycle

/// A Liftoff server in this process, built by the same `buildApplication` as `liftoff serve`, listening on
/// loopback, with a clock the simulator controls. Messages for webhooks and alert routes stay in its outbox:
/// a simulation never calls the plan's real receivers.
public final class EmbeddedServer: SimulationTarget {
    public let client: LiftoffClient
    public let directory: URL
    public let port: Int
    private let clock: any WallClock
    private let manual: ManualClock?
    private let tick: @Sendable () async -> Void

    private init(client: LiftoffClient, directory: URL, port: Int, clock: any WallClock, tick: @escaping @Sendable () async -> Void) {
        self.client = client
        self.directory = directory
        self.port = port
        self.clock = clock
        self.manual = clock as? ManualClock
        self.tick = tick
    }

    public func now() -> Date { clock.now() }

    /// With a manual clock, sets it and evaluates once; with any other clock, waits for it (the server's own
    /// ticker evaluates). A `ScaledClock` is held at `date` until the next call, so it never runs ahead of
    /// the traffic.
    public func advance(to date: Date) async throws {
        if let manual {
            manual.set(max(date, manual.now()))
            await tick()
        } else {
            (clock as? ScaledClock)?.hold(at: date)
            while clock.now() < date { try await Task.sleep(for: .milliseconds(5)) }
        }
    }

    /// Starts a server for the duration of `body`. With a `ManualClock` nothing evaluates unless `advance` is
    /// called; with another clock the server ticks every `tickInterval` of real time.
    /// `directory` nil: a temporary one, removed afterwards, and the database in memory (`Durability.scratch`).
    public static func run<Value: Sendable>(
        plan: Plan, clock: any WallClock, directory: URL? = nil, port: Int = 0, adminKey: String? = nil,
        tickInterval: Duration = .seconds(1), logger: Logger = EmbeddedServer.quietLogger,
        _ body: (EmbeddedServer) async throws -> Value
    ) async throws -> Value {
        let temporary = directory == nil
        let folder = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("liftoff-sim-\(UUID().uuidString)")
        defer { if temporary { try? FileManager.default.removeItem(at: folder) } }
        let key = adminKey ?? "lft_sim_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        var configuration = LiftoffConfiguration(port: port, dataDirectory: folder, adminKey: key, plan: plan,
                                                 tickInterval: clock is ManualClock ? .seconds(1_000_000) : tickInterval, clock: clock)
        configuration.deliversMessages = false
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        guard case .sqlite(let path) = configuration.store else { preconditionFailure("embedded runs use SQLite") }
        // A temporary run keeps its database in memory: nobody reads it afterwards.
        let store = try SQLiteStore.open(at: path, now: clock.now(), durability: temporary ? .scratch : .full)
        let built = try await buildApplication(configuration, store: store, logger: logger) { port in continuation.yield(port) }
        let (application, ticker) = (built.application, built.ticker)
        let services = ServiceGroup(configuration: .init(services: [application], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // A server that cannot start (the port is taken) ends the wait for its port with its error.
                defer { continuation.finish() }
                try await services.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let bound = await iterator.next() else {
                try await group.waitForAll()
                throw CancellationError()
            }
            // The simulator's own calls skip the socket (the server still listens, for a person or a test).
            let server = EmbeddedServer(client: LiftoffClient(transport: built.inProcess, key: key), directory: folder,
                                        port: bound, clock: clock, tick: ticker)
            // Shut down gracefully either way: the ingest pipeline drains what it accepted.
            let result: Result<Value, any Error>
            do { result = .success(try await body(server)) } catch { result = .failure(error) }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return try result.get()
        }
    }

    /// Only warnings and worse: a scorecard of hundreds of runs should not drown in request logs.
    public static var quietLogger: Logger {
        var logger = Logger(label: "liftoff-simulator")
        logger.logLevel = .error
        return logger
    }
}
