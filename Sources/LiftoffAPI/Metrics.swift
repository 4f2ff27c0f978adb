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

/// `GET /v1/metrics`: catalog metrics over one window, by metric name.
public struct MetricValues: Codable, Sendable {
    public var window: String
    public var phase: String?
    public var variant: Variant?
    public var from: Date
    public var to: Date
    public var metrics: [String: MetricValueView]

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
    public var points: [MetricPoint]

    public init(name: String, step: String, window: String, phase: String?, variant: Variant?, points: [MetricPoint]) {
        self.name = name
        self.step = step
        self.window = window
        self.phase = phase
        self.variant = variant
        self.points = points
    }
}
