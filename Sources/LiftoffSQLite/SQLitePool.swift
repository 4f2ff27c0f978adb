import GRDB
import LiftoffStore

/// The store's database (a `DatabasePool` on a file; a `DatabaseQueue` in memory for a scratch store), with
/// every failure of the database itself said as a `StoreError`: callers (and the HTTP mapping) see "busy",
/// "disk full", "read-only" or "unavailable", never a GRDB type.
struct SQLitePool: Sendable {
    let pool: any DatabaseWriter
    /// An in-memory database (a scratch store) is used in place, on the calling thread: its statements take
    /// microseconds and never wait for a disk, and handing each to GRDB's queue and back cost a simulated
    /// step more than the work (two thread wake-ups per call).
    let inPlace: Bool

    init(pool: any DatabaseWriter, inPlace: Bool = false) {
        self.pool = pool
        self.inPlace = inPlace
    }

    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        if inPlace { return try readInPlace(body) }
        do { return try await pool.read(body) } catch { throw Self.translate(error) }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch { throw Self.translate(error) }
    }

    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        if inPlace { return try writeInPlace(body) }
        do { return try await pool.write(body) } catch { throw Self.translate(error) }
    }

    func writeWithoutTransaction<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws -> T {
        if inPlace { return try writeWithoutTransactionBlocking(body) }
        do { return try await pool.writeWithoutTransaction(body) } catch { throw Self.translate(error) }
    }

    /// Blocks the calling thread until the write is done: only for a thread that may block (see
    /// `DedicatedThreadExecutor`) or an in-memory database (see `inPlace`), never the shared pool's for a file.
    func writeWithoutTransactionBlocking<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.writeWithoutTransaction(body) } catch { throw Self.translate(error) }
    }

    // Synchronous on purpose (see `inPlace`): from an async function GRDB's async overloads would be taken.
    private func readInPlace<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch { throw Self.translate(error) }
    }

    private func writeInPlace<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch { throw Self.translate(error) }
    }

    /// SQLite's result codes, as what they mean for the caller. Constraint violations other than a taken
    /// key, and anything else, stay as they are: they are bugs, not conditions of the database.
    static func translate(_ error: any Error) -> any Error {
        guard let error = error as? DatabaseError else { return error }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StoreError(.busy, "the database is busy: \(error.message ?? "locked")")
        case .SQLITE_FULL:
            return StoreError(.storageFull, "the database's disk is full (or its page limit reached): nothing more can be written until space is freed")
        case .SQLITE_READONLY:
            return StoreError(.readOnly, "the database is read-only: \(error.message ?? "no write access")")
        case .SQLITE_CANTOPEN, .SQLITE_IOERR, .SQLITE_PROTOCOL, .SQLITE_NOLFS:
            return StoreError(.unavailable, "the database cannot be reached: \(error.message ?? "\(error.resultCode)")")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return StoreError(.corrupt, "the database file is damaged: \(error.message ?? "\(error.resultCode)")")
        default:
            return error
        }
    }
}
