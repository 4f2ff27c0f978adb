import Foundation
import LiftoffSQLite
import LiftoffStore

/// Opens the store the configuration names: the one place the CLI knows which engines exist.
enum StoreOpening {
    static func open(_ location: StoreLocation, now: Date = Date()) throws -> any Store {
        switch location {
        case .sqlite(let path): try SQLiteStore.open(at: path, now: now)
        }
    }
}
