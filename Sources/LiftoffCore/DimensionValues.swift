/// The values each dimension has been given so far, and the cap that bounds them: the first `cap` distinct
/// values of a dimension are kept as themselves, every later one counts as `MetricDimension.otherValue`, so the
/// aggregates stay O(minutes × cap) whatever an app sends. A store holds one, loaded from the values it has
/// admitted, and admits new ones in the transaction that records their events.
public struct DimensionValues: Sendable, Equatable {
    public private(set) var admitted: [MetricDimension: Set<String>]

    public init(_ admitted: [MetricDimension: Set<String>] = [:]) {
        self.admitted = admitted
    }

    /// What `value` counts as under a cap of `cap` values, and whether this admits it (so the caller stores
    /// the admission). `other` itself is always taken and never counts against the cap.
    public mutating func resolve(_ value: String, of dimension: MetricDimension, cap: Int) -> (value: String, admitted: Bool) {
        if value == MetricDimension.otherValue { return (value, false) }
        if admitted[dimension]?.contains(value) == true { return (value, false) }
        guard (admitted[dimension]?.count ?? 0) < cap else { return (MetricDimension.otherValue, false) }
        admitted[dimension, default: []].insert(value)
        return (value, true)
    }

    /// Whether `dimension` has reached `cap`, so that later values are folded into `other`.
    public func isFull(_ dimension: MetricDimension, cap: Int) -> Bool { (admitted[dimension]?.count ?? 0) >= cap }

    /// Adds values admitted elsewhere (another node, a reload).
    public mutating func merge(_ other: [MetricDimension: Set<String>]) {
        for (dimension, values) in other { admitted[dimension, default: []].formUnion(values) }
    }
}
