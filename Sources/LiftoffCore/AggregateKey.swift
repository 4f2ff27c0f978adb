/// One row of the per-minute aggregates: a minute, where it counts (phase, variant,
/// guardrail epoch), and the measure.
public struct AggregateKey: Sendable, Hashable {
    public var minute: MinuteIndex
    public var phase: String
    public var variant: Variant
    public var epoch: Int
    public var measure: Measure

    public init(minute: MinuteIndex, phase: String, variant: Variant, epoch: Int = 0, measure: Measure) {
        self.minute = minute
        self.phase = phase
        self.variant = variant
        self.epoch = epoch
        self.measure = measure
    }
}
