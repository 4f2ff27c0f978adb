/// One row of the per-minute aggregates: a minute, where it counts (phase, variant,
/// guardrail epoch), the measure, and the segment (nil: the whole population; else one value of one
/// declared dimension).
public struct AggregateKey: Sendable, Hashable {
    public var minute: MinuteIndex
    public var phase: String
    public var variant: Variant
    public var epoch: Int
    public var measure: Measure
    public var segment: Segment?

    public init(minute: MinuteIndex, phase: String, variant: Variant, epoch: Int = 0, measure: Measure, segment: Segment? = nil) {
        self.minute = minute
        self.phase = phase
        self.variant = variant
        self.epoch = epoch
        self.measure = measure
        self.segment = segment
    }
}
