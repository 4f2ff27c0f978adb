import Foundation
import GRDB
import LiftoffCore
import LiftoffStore

/// Converts between `Aggregate` and a `minute_aggregates` row (count, sum, min, max, sketch).
enum AggregateRowCoding {
    static func aggregate(from row: Row, measure: Measure) throws -> Aggregate {
        let blob: Data? = row["sketch"]
        var sketch: QuantileSketch?
        var distinct: DistinctCounter?
        if let blob {
            if measure == .users {
                guard let counter = DistinctCounter(encoded: blob) else {
                    throw StoreError(.corrupt, "unreadable distinct counter in minute_aggregates (\(measure.rawValue))")
                }
                distinct = counter
            } else {
                guard let decoded = QuantileSketch(encoded: blob) else {
                    throw StoreError(.corrupt, "unreadable sketch in minute_aggregates (\(measure.rawValue))")
                }
                sketch = decoded
            }
        }
        return Aggregate(count: row["count"], sum: row["sum"], sumOfSquares: row["sum_squares"], min: row["min"], max: row["max"],
                         sketch: sketch, distinct: distinct)
    }

    static func values(of aggregate: Aggregate) -> StatementArguments {
        var blob: Data?
        if let sketch = aggregate.sketch { blob = Data(sketch.encoded()) }
        if let distinct = aggregate.distinct { blob = Data(distinct.encoded()) }
        return [aggregate.count, aggregate.sum, aggregate.sumOfSquares, aggregate.min, aggregate.max, blob]
    }
}
