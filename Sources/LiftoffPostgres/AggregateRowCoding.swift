import Foundation
import LiftoffCore
import LiftoffStore
import NIOCore
import PostgresNIO

/// Converts between `Aggregate` and a `minute_aggregates` row; the sketch column holds a quantile sketch, or
/// the distinct counter of the `users` measure, in LiftoffCore's own encodings (the same bytes as in SQLite).
enum AggregateRowCoding {
    /// Decodes a row selected as `minute, phase, variant, epoch, measure, count, sum, sum_squares, min, max,
    /// sketch`. Rows of a measure or variant this version does not know are nil: skipped, not misread.
    static func decode(_ row: PostgresRow) throws -> (AggregateKey, Aggregate)? {
        let (minute, phase, variantText, epoch, measureText, count, sum, sumOfSquares, min, max, blob) = try row.decode(
            (Int64, String, String, Int, String, Int, Double, Double?, Double?, Double?, Data?).self)
        guard let measure = Measure(rawValue: measureText), let variant = Variant(rawValue: variantText) else { return nil }
        let (sketch, distinct) = try blob.map { try AggregateBlob.decode($0, measure: measure) } ?? (nil, nil)
        let key = AggregateKey(minute: MinuteIndex(rawValue: minute), phase: phase, variant: variant, epoch: epoch, measure: measure)
        return (key, Aggregate(count: count, sum: sum, sumOfSquares: sumOfSquares, min: min, max: max, sketch: sketch, distinct: distinct))
    }

    /// Decodes a `segment_aggregates` row selected as `decode` reads, followed by `dimension, value`.
    static func decodeSegment(_ row: PostgresRow) throws -> (AggregateKey, Aggregate)? {
        let (minute, phase, variantText, epoch, measureText, count, sum, sumOfSquares, min, max, blob, dimensionText, value) = try row.decode(
            (Int64, String, String, Int, String, Int, Double, Double?, Double?, Double?, Data?, String, String).self)
        guard let measure = Measure(rawValue: measureText), let variant = Variant(rawValue: variantText),
              let dimension = MetricDimension(rawValue: dimensionText) else { return nil }
        let (sketch, distinct) = try blob.map { try AggregateBlob.decode($0, measure: measure) } ?? (nil, nil)
        let key = AggregateKey(minute: MinuteIndex(rawValue: minute), phase: phase, variant: variant, epoch: epoch, measure: measure,
                               segment: Segment(dimension, value))
        return (key, Aggregate(count: count, sum: sum, sumOfSquares: sumOfSquares, min: min, max: max, sketch: sketch, distinct: distinct))
    }

    /// Binds count, sum, sum_squares, min, max and sketch, returning their placeholders.
    static func bind(_ aggregate: Aggregate, _ sql: inout SQLBuilder) -> [String] {
        let blob = AggregateBlob.encode(aggregate).map { ByteBuffer(bytes: $0) }
        return [sql.bind(aggregate.count), sql.bind(aggregate.sum), sql.bind(aggregate.sumOfSquares), sql.bind(aggregate.min),
                sql.bind(aggregate.max), sql.bind(blob)]
    }
}
