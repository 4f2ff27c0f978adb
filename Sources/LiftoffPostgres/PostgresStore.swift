import Foundation
import LiftoffCore
import LiftoffStore
import Logging
import PostgresNIO
import Synchronization

/// The store for several nodes: everything in one PostgreSQL database, through PostgresNIO's pooled client.
/// Any number of processes may share the database; each is a `node` and merges ingest aggregates into rows of
/// its own, which reads merge (see `PostgresMigrations`). Event-id idempotency is a unique index, so a retry
/// is recognised whichever node it reaches, for as long as the event is kept.
///
/// Commits use PostgreSQL's defaults (`synchronous_commit = on`): once a method returns, its change survives a
/// crash of the server.
public final class PostgresStore: Store {
    public let client: PostgresClient
    /// This process's name among the nodes: a fresh one each start, so no two processes ever write the same
    /// aggregate row.
    public let node: String
    let logger: Logger
    /// How long one operation may wait for a connection and run before the store says the database cannot be
    /// reached (`StoreError.unavailable`, which the API answers with 503 and Retry-After).
    let operationTimeout: Duration
    let breaker = CircuitBreaker()
    /// The breakdown values admitted so far, as this node knows them (see `PostgresStore+Dimensions`).
    let dimensionState = Mutex(DimensionState())
    /// Users already marked active on the latest days, by this node or, as its upserts found, another one.
    let recentUserDays = Mutex(RecentUserDays())
    /// This node's aggregate rows of the latest minutes as committed (see `OwnAggregates`).
    let ownAggregates = Mutex(OwnAggregates())

    /// A store over `client`, which must be running (`withStore` runs it). Call `migrate()` before anything else.
    public init(client: PostgresClient, node: String = PostgresStore.makeNodeID(), logger: Logger,
                operationTimeout: Duration = .seconds(5)) {
        self.client = client
        self.node = node
        self.logger = logger
        self.operationTimeout = operationTimeout
    }

    /// A new node id: random, short enough to read in `/v1/cluster` and the logs.
    public static func makeNodeID() -> String {
        String(UUID().uuidString.lowercased().prefix(13))
    }

    /// Runs a client for `configuration`, brings the schema up to date and hands the store to `body`; the
    /// client stops when `body` returns or throws. The structured way to own the connection pool.
    public static func withStore<T: Sendable>(
        _ configuration: PostgresClient.Configuration, node: String = makeNodeID(), logger: Logger,
        _ body: (PostgresStore) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let store = PostgresStore(client: client, node: node, logger: logger)
            try await store.migrate()
            return try await body(store)
        }
    }

    public func ping() async throws {
        try await run("SELECT 1")
    }

    // MARK: Running statements

    /// Runs `query` outside any transaction and returns its rows.
    @discardableResult
    func run(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await guarded { [client, logger] in
            try await client.withConnection { connection in
                try Self.checkOpen(connection)
                return try await connection.query(query, logger: logger).collect()
            }
        }
    }

    /// Runs `body` in one transaction on one connection: committed when it returns, rolled back when it throws.
    /// The store's own errors pass through unchanged; the database's are said as `StoreError`s.
    ///
    /// A transaction cut off by the timeout may still commit; what it wrote is then found by a retry (event
    /// ids, versions), so callers that answered "unavailable" never lose what they were told was refused.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await guarded { [client, logger] in
            try await client.withConnection { connection in
                try Self.checkOpen(connection)
                try await connection.query("BEGIN", logger: logger)
                do {
                    let result = try await body(connection)
                    try Self.checkOpen(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return result
                } catch {
                    // A closed connection's transaction is rolled back by the server; a query written to it
                    // could wait forever.
                    if !connection.isClosed { _ = try? await connection.query("ROLLBACK", logger: logger) }
                    throw error
                }
            }
        }
    }

    /// Runs `operation` under the timeout and the circuit breaker, saying failures as `StoreError`s.
    private func guarded<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        if let down = breaker.admit() {
            throw StoreError(.unavailable, "the database cannot be reached (for \(down.components.seconds) s); retrying")
        }
        do {
            let result = try await Deadline.run(operationTimeout, operation)
            breaker.succeeded()
            return result
        } catch {
            let translated = Self.translate(error)
            if let failure = translated as? StoreError, failure.code == .unavailable { breaker.failed() }
            throw translated
        }
    }

    /// Refuses to write to a connection the server has closed (see `Deadline`).
    static func checkOpen(_ connection: PostgresConnection) throws {
        if connection.isClosed { throw StoreError(.unavailable, "the database closed the connection") }
    }

    /// PostgreSQL's conditions, as what they mean for the caller. Constraint violations and anything else stay
    /// as they are: they are bugs, not conditions of the database. Messages carry the server's text only,
    /// never the statement or its values (which may hold user data).
    static func translate(_ error: any Error) -> any Error {
        guard let error = error as? PSQLError else { return error }
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            let message = error.serverInfo?[.message] ?? "error \(state)"
            switch state {
            case "53100":
                return StoreError(.storageFull, "the database's disk is full: nothing more can be written until space is freed")
            case "25006":
                return StoreError(.readOnly, "the database is read-only: \(message)")
            case "40001", "40P01", "55P03":
                return StoreError(.busy, "the database is busy: \(message)")
            case "XX001", "XX002":
                return StoreError(.corrupt, "the database is damaged: \(message)")
            case _ where state.hasPrefix("08") || state.hasPrefix("57P") || state == "53300":
                return StoreError(.unavailable, "the database cannot be reached: \(message)")
            default:
                return StoreError.DatabaseFailure(state: state, message: message)
            }
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .uncleanShutdown,
             .queryCancelled, .sslUnsupported, .failedToAddSSLHandler:
            return StoreError(.unavailable, "the database cannot be reached (\(error.code))")
        default:
            return StoreError.DatabaseFailure(state: "", message: "\(error.code)")
        }
    }

    /// SQLSTATE 23505: a unique constraint refused the row.
    static func isUniqueViolation(_ error: any Error) -> Bool {
        (error as? StoreError.DatabaseFailure)?.state == "23505"
    }
}

extension StoreError {
    /// A PostgreSQL error that is not a condition of the database (a constraint refused a row, a statement is
    /// wrong): a bug to report, with the server's SQLSTATE and message and nothing of the statement's values.
    public struct DatabaseFailure: Error, Sendable, CustomStringConvertible {
        public var state: String
        public var message: String
        public var description: String { "PostgreSQL error \(state): \(message)" }
    }
}

/// Times are stored as integer milliseconds since 1970, as in the SQLite engine.
enum Milliseconds {
    static func from(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
