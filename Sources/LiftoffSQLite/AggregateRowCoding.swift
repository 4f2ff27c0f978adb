import Foundation
import GRDB
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

    static func values(of aggregate: Aggregate) -> StatementArguments {
        let blob = AggregateBlob.encode(aggregate).map { Data($0) }
        return [aggregate.count, aggregate.sum, aggregate.sumOfSquares, aggregate.min, aggregate.max, blob]
    }
}
