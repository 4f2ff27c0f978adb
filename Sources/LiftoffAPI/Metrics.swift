import Foundation
import LiftoffCore

/// A metric value as the API prints it: `value` is `null` without samples, never omitted; `unit` from the
/// catalog.
public struct MetricValueView: Codable, Sendable {
    @ExplicitNull public var value: Double?
    public var samples: Int
    public var unit: String

    public init(value: Double?, samples: Int, unit: String) {
        self.value = value
        self.samples = samples
        self.unit = unit
    }
}

/// `GET /v1/metrics`: catalog metrics over one window, by metric name; for one segment when `segment` is
/// set (`feature=code_analysis`), or per value of one dimension in `groups` when `groupBy` is.
public struct MetricValues: Codable, Sendable {
    public var window: String
    public var phase: String?
    public var variant: Variant?
    public var from: Date
    public var to: Date
    /// Empty with `groupBy`: the values are in `groups`.
    public var metrics: [String: MetricValueView]
    public var segment: String?
    public var groupBy: String?
    /// With `groupBy`: the most values the dimension keeps, and whether it has reached them, in which case the
    /// values seen after the first `maxValues` are counted in the group `other`.
    public var maxValues: Int?
    public var full: Bool?
    public var groups: [String: [String: MetricValueView]]?

    public init(window: String, phase: String?, variant: Variant?, from: Date, to: Date, metrics: [String: MetricValueView]) {
        self.window = window
        self.phase = phase
        self.variant = variant
        self.from = from
        self.to = to
        self.metrics = metrics
    }
}

/// One point of a series: the metric over the step that starts at `t`.
public struct MetricPoint: Codable, Sendable {
    public var t: Date
    @ExplicitNull public var value: Double?
    public var samples: Int

    public init(t: Date, value: Double?, samples: Int) {
        self.t = t
        self.value = value
        self.samples = samples
    }
}

/// `GET /v1/metrics/series`: one metric step by step over a window.
public struct MetricSeries: Codable, Sendable {
    public var name: String
    public var step: String
    public var window: String
    public var phase: String?
    public var variant: Variant?
    /// Empty with `groupBy`: the points are in `groups`.
    public var points: [MetricPoint]
    public var segment: String?
    public var groupBy: String?
    public var maxValues: Int?
    public var full: Bool?
    public var groups: [String: [MetricPoint]]?

    public init(name: String, step: String, window: String, phase: String?, variant: Variant?, points: [MetricPoint]) {
        self.name = name
        self.step = step
        self.window = window
        self.phase = phase
        self.variant = variant
        self.points = points
    }
}
