/// One row of the per-minute aggregates: a minute (Unix seconds / 60), where it counts, and the measure.
public struct AggregateKey: Sendable, Hashable {
    public var minute: Int64
    public var phase: String
    public var variant: Variant
    public var measure: Measure

    public init(minute: Int64, phase: String, variant: Variant, measure: Measure) {
        self.minute = minute
        self.phase = phase
        self.variant = variant
        self.measure = measure
    }
}
