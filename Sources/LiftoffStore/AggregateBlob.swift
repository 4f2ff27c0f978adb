import Foundation
import LiftoffCore

/// The `sketch` column of a minute aggregate, as every engine stores it: a quantile sketch, or for a measure of
/// users (`Measure.keepsDistinct`) a distinct counter, in LiftoffCore's own encodings, so the bytes are the same in SQLite and PostgreSQL.
public enum AggregateBlob {
    /// The bytes of `aggregate`'s sketch or distinct counter; nil when it has neither.
    public static func encode(_ aggregate: Aggregate) -> [UInt8]? {
        if let distinct = aggregate.distinct { return distinct.encoded() }
        return aggregate.sketch?.encoded()
    }

    /// Reads `bytes` stored for `measure`; `StoreError.corrupt` when they cannot be read.
    public static func decode(_ bytes: some Collection<UInt8>, measure: Measure) throws -> (sketch: QuantileSketch?, distinct: DistinctCounter?) {
        if measure.keepsDistinct {
            guard let counter = DistinctCounter(encoded: bytes) else {
                throw StoreError(.corrupt, "unreadable distinct counter in minute_aggregates (\(measure.rawValue))")
            }
            return (nil, counter)
        }
        guard let sketch = QuantileSketch(encoded: bytes) else {
            throw StoreError(.corrupt, "unreadable sketch in minute_aggregates (\(measure.rawValue))")
        }
        return (sketch, nil)
    }
}
