import Foundation
import LiftoffPostgres
import LiftoffSQLite
import LiftoffStore
import Logging

/// Opens the store the configuration names: the one place the CLI knows which engines exist.
enum StoreOpening {
    /// Opens the store at `location`, hands it to `body` with the cluster of nodes sharing it, and closes it
    /// when `body` returns: PostgreSQL's connection pool runs only inside this scope.
    static func withStore<T: Sendable>(_ location: StoreLocation, now: Date = Date(), logger: Logger,
                                       _ body: (any Store, any Cluster) async throws -> T) async throws -> T {
        switch location {
        case .sqlite(let path):
            let store = try SQLiteStore.open(at: path, now: now)
            if store.unreplayableEvents > 0 {
                logger.warning("events stored after the aggregates' last write could not be read back; their aggregates are missing them",
                               metadata: ["events": "\(store.unreplayableEvents)", "path": "\(path)"])
            }
            return try await body(store, SingleNode())
        case .postgres(let text):
            let url: PostgresURL
            do { url = try PostgresURL(text) } catch let error as PostgresURLError { throw StoreOpeningError(error.description) }
            return try await PostgresStore.withStore(url.configuration, logger: logger) { store in
                try await body(store, PostgresCluster(store: store))
            }
        }
    }
}

/// A store location that cannot be opened, said to the person who gave it.
struct StoreOpeningError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
