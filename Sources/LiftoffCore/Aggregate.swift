import Foundation

/// Count, sum, sum of squares, min, max and, where the measure keeps them, a quantile sketch or a distinct
/// counter. Aggregates of disjoint sets of samples merge into the aggregate of their union.
public struct Aggregate: Sendable, Equatable {
    public private(set) var count: Int = 0
    public private(set) var sum: Double = 0
    /// Σx², for the sample variance behind a mean's confidence interval. nil when some of the samples were
    /// stored before it was kept (their variance is unknown, and so is the union's).
    public private(set) var sumOfSquares: Double? = 0
    public private(set) var min: Double? = nil
    public private(set) var max: Double? = nil
    public var sketch: QuantileSketch?
    public var distinct: DistinctCounter?

    public init(count: Int = 0, sum: Double = 0, sumOfSquares: Double? = 0, min: Double? = nil, max: Double? = nil,
                sketch: QuantileSketch? = nil, distinct: DistinctCounter? = nil) {
        self.count = count
        self.sum = sum
        self.sumOfSquares = sumOfSquares
        self.min = min
        self.max = max
        self.sketch = sketch
        self.distinct = distinct
    }

    /// An empty aggregate shaped for `measure`.
    public init(for measure: Measure) {
        if measure.keepsSketch { sketch = QuantileSketch() }
        if measure.keepsDistinct { distinct = DistinctCounter() }
    }

    /// Records one sample of `value`.
    public mutating func add(_ value: Double) {
        count += 1
        sum += value
        sumOfSquares? += value * value
        min = Swift.min(min ?? value, value)
        max = Swift.max(max ?? value, value)
        sketch?.add(value)
    }

    /// Records one occurrence of a distinct member.
    public mutating func add(member: String) {
        count += 1
        distinct?.add(member)
    }

    /// Adds every sample of `other`.
    public mutating func merge(_ other: Aggregate) {
        count += other.count
        sum += other.sum
        sumOfSquares = other.count == 0 ? sumOfSquares : sumOfSquares.flatMap { mine in other.sumOfSquares.map { mine + $0 } }
        if let otherMin = other.min { min = Swift.min(min ?? otherMin, otherMin) }
        if let otherMax = other.max { max = Swift.max(max ?? otherMax, otherMax) }
        if let otherSketch = other.sketch {
            if sketch == nil { sketch = QuantileSketch() }
            sketch!.merge(otherSketch)
        }
        if let otherDistinct = other.distinct {
            if distinct == nil { distinct = DistinctCounter() }
            distinct!.merge(otherDistinct)
        }
    }

    /// The mean of the samples, or nil without samples.
    public var mean: Double? { count > 0 ? sum / Double(count) : nil }

    /// The sample standard deviation (n − 1 in the denominator), or nil below two samples or where the sum of
    /// squares is unknown.
    public var standardDeviation: Double? {
        guard count >= 2, let sumOfSquares else { return nil }
        let n = Double(count)
        // Rounding can push a zero variance slightly negative.
        return sqrt(Swift.max(0, (sumOfSquares - sum * sum / n) / (n - 1)))
    }

    /// The value of the `q`-quantile read from the sketch and clamped to the exact minimum and maximum, so an
    /// estimate never lies outside what was observed; nil without a sketch or samples.
    public func quantile(_ q: Double) -> Double? {
        clamped(sketch?.quantile(q))
    }

    /// The sketch's value at `rank` (1-based), clamped to the exact minimum and maximum.
    public func value(atRank rank: Int) -> Double? {
        clamped(sketch?.value(atRank: UInt64(Swift.max(1, rank))))
    }

    private func clamped(_ value: Double?) -> Double? {
        guard let value, let min, let max else { return value }
        return Swift.min(Swift.max(value, min), max)
    }
}
