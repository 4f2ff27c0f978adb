import Foundation
import GRDB
import GRDBSQLite
import LiftoffCore
import LiftoffStore

/// Converts between `Aggregate` and a `minute_aggregates` row (count, sum, min, max, sketch).
enum AggregateRowCoding {
    static func aggregate(from row: Row, measure: Measure) throws -> Aggregate {
        let blob: Data? = row["sketch"]
        let (sketch, distinct) = try blob.map { try AggregateBlob.decode($0, measure: measure) } ?? (nil, nil)
        return Aggregate(count: row["count"], sum: row["sum"], sumOfSquares: row["sum_squares"], min: row["min"], max: row["max"],
                         sketch: sketch, distinct: distinct)
    }
}

extension AggregateRowCoding {
    /// A key column's value.
    enum KeyValue {
        case text(String)
        case integer(Int64)
    }

    /// Runs `statement` (an INSERT OR REPLACE whose placeholders are the key columns, then count, sum,
    /// sum_squares, min, max, sketch) bound through SQLite's C API: GRDB's `StatementArguments` boxed every
    /// value, and with a row per segment the aggregate writes were the simulator's largest cost. Errors are
    /// GRDB's `DatabaseError`, so they are translated like any other.
    static func execute(_ statement: Statement, key: [KeyValue], _ aggregate: Aggregate, _ db: Database) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        var index: Int32 = 0
        for value in key {
            index += 1
            switch value {
            case .integer(let number): sqlite3_bind_int64(handle, index, number)
            case .text(var text):
                text.withUTF8 { bytes in
                    _ = UnsafeRawBufferPointer(bytes).withMemoryRebound(to: CChar.self) { chars in
                        sqlite3_bind_text(handle, index, chars.baseAddress ?? emptyText, Int32(chars.count), transient)
                    }
                }
            }
        }
        index += 1; sqlite3_bind_int64(handle, index, Int64(aggregate.count))
        index += 1; sqlite3_bind_double(handle, index, aggregate.sum)
        // Cleared bindings are NULL: an absent value is left unbound.
        index += 1; if let value = aggregate.sumOfSquares { sqlite3_bind_double(handle, index, value) }
        index += 1; if let value = aggregate.min { sqlite3_bind_double(handle, index, value) }
        index += 1; if let value = aggregate.max { sqlite3_bind_double(handle, index, value) }
        index += 1
        if let blob = AggregateBlob.encode(aggregate) {
            blob.withUnsafeBytes { bytes in _ = sqlite3_bind_blob(handle, index, bytes.baseAddress ?? UnsafeRawPointer(emptyText), Int32(bytes.count), transient) }
        }
        try stepOnce(statement, db)
    }
}
