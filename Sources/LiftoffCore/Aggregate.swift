/// Count, sum, min, max and, where the measure keeps them, a quantile sketch or a distinct counter.
/// Aggregates of disjoint sets of samples merge into the aggregate of their union.
public struct Aggregate: Sendable, Equatable {
    public private(set) var count: Int = 0
    public private(set) var sum: Double = 0
    public private(set) var min: Double? = nil
    public private(set) var max: Double? = nil
    public var sketch: QuantileSketch?
    public var distinct: DistinctCounter?

    public init(count: Int = 0, sum: Double = 0, min: Double? = nil, max: Double? = nil,
                sketch: QuantileSketch? = nil, distinct: DistinctCounter? = nil) {
        self.count = count
        self.sum = sum
        self.min = min
        self.max = max
        self.sketch = sketch
        self.distinct = distinct
    }

    /// An empty aggregate shaped for `measure`.
    public init(for measure: Measure) {
        if measure.keepsSketch { sketch = QuantileSketch() }
        if measure == .users { distinct = DistinctCounter() }
    }

    /// Records one sample of `value`.
    public mutating func add(_ value: Double) {
        count += 1
        sum += value
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
}
