import GRDB
import GRDBSQLite
import LiftoffCore
import LiftoffStore

/// Rows for `events`, inserted `rowsPerStatement` at a time and bound through SQLite's C API: one multi-row
/// `INSERT` costs SQLite far less than as many single-row ones, and GRDB's `StatementArguments` boxed every
/// value (a third of the append's time went to building and binding them). Rows keep their order, so
/// `seq` does too. Errors are thrown as GRDB's `DatabaseError`, so they are translated like any other.
struct EventRows {
    static let rowsPerStatement = 50

    /// One event as stored.
    struct Row {
        var id: String?
        var type: String
        var occurredAt: Int64
        var receivedAt: Int64
        var userId: String?
        var sessionId: String?
        var phase: String
        var variant: String
        var costUsd: Double?
        var payload: [UInt8]
        var epoch: Int
        var region: String?
        /// What the store looked up for the event's fold, kept so the fold can be replayed (see `AggregateBacklog`).
        var concurrentSessions: Int?
        var sessionSeconds: Double?
        var skillDelta: Double?
        var segmentDimensions: Int?
        var segmentValues: [UInt8]?

        init(_ recorded: RecordedEvent, receivedAt: Int64) {
            let event = recorded.event
            id = event.id
            type = event.type.rawValue
            occurredAt = Milliseconds.from(event.timestamp)
            self.receivedAt = receivedAt
            userId = event.userId
            sessionId = event.sessionId
            phase = recorded.attribution.phase
            variant = recorded.attribution.variant.rawValue
            costUsd = recorded.costUsd
            payload = EventPayloadJSON.encodeUTF8(event.payload)
            epoch = recorded.attribution.epoch
            region = event.region
            concurrentSessions = recorded.concurrentSessions
            sessionSeconds = recorded.sessionSeconds
            skillDelta = recorded.skillDelta
            (segmentDimensions, segmentValues) = StoredSegments.encode(recorded)
        }
    }

    private var rows: [Row] = []
    /// The flushed rows' text values back to back, and where each is bound: SQLite reads them in place
    /// (`SQLITE_STATIC`) instead of copying each into a buffer of its own (`SQLITE_TRANSIENT`), whose
    /// allocations and frees under SQLite's memory mutex were ~5% of the writer's time with single events.
    /// Both keep their capacity from one flush to the next.
    private var text: [UInt8] = []
    private var textBindings: [(index: Int32, start: Int, count: Int)] = []

    mutating func append(_ row: Row, _ db: Database) throws {
        rows.append(row)
        if rows.count == Self.rowsPerStatement { try flush(db) }
    }

    /// The statement for `count` rows.
    static func sql(rows count: Int) -> String {
        "INSERT INTO events (event_id, type, occurred_at, received_at, user_id, session_id, phase, variant, cost_usd, payload, epoch, region, "
            + "concurrent_sessions, session_seconds, skill_delta, segment_dimensions, segment_values, replayable) VALUES "
            + repeatElement("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)", count: count).joined(separator: ", ")
    }
    /// Every statement's text by its row count, built once: a commit of single events ends with a partial
    /// statement, and building its text took 2% of the writer's time.
    static let sqlByCount = (0...rowsPerStatement).map { sql(rows: $0) }

    mutating func flush(_ db: Database) throws {
        guard !rows.isEmpty else { return }
        let statement = try db.cachedStatement(sql: Self.sqlByCount[rows.count])
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        text.removeAll(keepingCapacity: true)
        textBindings.removeAll(keepingCapacity: true)
        var index: Int32 = 0
        func keep(_ bytes: UnsafeRawBufferPointer) {
            textBindings.append((index, text.count, bytes.count))
            text.append(contentsOf: bytes)
        }
        func keep(_ value: String?) {
            index += 1
            guard var value else { return }  // cleared bindings are NULL
            value.withUTF8 { keep(UnsafeRawBufferPointer($0)) }
        }
        for row in rows {
            keep(row.id)
            keep(row.type)
            index += 1; sqlite3_bind_int64(handle, index, row.occurredAt)
            index += 1; sqlite3_bind_int64(handle, index, row.receivedAt)
            keep(row.userId)
            keep(row.sessionId)
            keep(row.phase)
            keep(row.variant)
            index += 1; if let cost = row.costUsd { sqlite3_bind_double(handle, index, cost) }
            index += 1; row.payload.withUnsafeBytes { keep($0) }
            index += 1; sqlite3_bind_int64(handle, index, Int64(row.epoch))
            keep(row.region)
            index += 1; if let open = row.concurrentSessions { sqlite3_bind_int64(handle, index, Int64(open)) }
            index += 1; if let seconds = row.sessionSeconds { sqlite3_bind_double(handle, index, seconds) }
            index += 1; if let delta = row.skillDelta { sqlite3_bind_double(handle, index, delta) }
            index += 1; if let dimensions = row.segmentDimensions { sqlite3_bind_int64(handle, index, Int64(dimensions)) }
            index += 1; row.segmentValues?.withUnsafeBytes { keep($0) }
        }
        try text.withUnsafeBytes { arena in
            // An empty text still needs a non-null pointer, or SQLite stores NULL.
            let base = arena.baseAddress.map { $0.assumingMemoryBound(to: CChar.self) } ?? emptyText
            for binding in textBindings {
                sqlite3_bind_text(handle, binding.index, base + binding.start, Int32(binding.count), staticText)
            }
            // Stepped, reset and cleared while the arena is alive: SQLite reads static texts until then.
            try stepOnce(statement, db)
        }
        rows.removeAll(keepingCapacity: true)
    }
}

/// Runs a statement bound through the C API to completion, then clears it for the next use; SQLite's error
/// comes out as GRDB's `DatabaseError`, so it is translated like any other.
func stepOnce(_ statement: Statement, _ db: Database) throws {
    let handle = statement.sqliteStatement
    let code = sqlite3_step(handle)
    defer {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }
    guard code == SQLITE_DONE else {
        let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
        throw DatabaseError(resultCode: ResultCode(rawValue: sqlite3_extended_errcode(db.sqliteConnection)), message: message, sql: statement.sql)
    }
}

/// SQLite copies the bytes before the bind call returns (`SQLITE_TRANSIENT`), so a Swift buffer's lifetime suffices.
let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
/// SQLite reads the bytes in place until the statement is reset or rebound (`SQLITE_STATIC`).
let staticText: sqlite3_destructor_type? = nil
nonisolated(unsafe) let emptyText: UnsafePointer<CChar> = {
    let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
    pointer.initialize(to: 0)
    return UnsafePointer(pointer)
}()
