import Foundation
import LiftoffAPI
import LiftoffCore

/// One declared dimension's breakdown as the metrics page shows it: a row per kept value (and `other` once the
/// dimension is full) with the phase's headline metrics for that segment, busiest first.
struct BreakdownTable: Sendable {
    static let columns: [Metric] = [.interactions, .activeUsers, .errorRate, .responseTimeP95, .aiResponseRelevance, .userSatisfaction]

    /// The metric each row's sparkline follows: how much the segment is used over the range.
    static let trendMetric = Metric.interactions

    struct Row: Sendable {
        var value: String
        var values: [Metric: MetricValue]
        /// `trendMetric` per step over the range; nil where a step had no samples.
        var trend: [(Date, Double?)] = []
    }

    var dimension: MetricDimension
    var cap: Int
    var full: Bool
    var rows: [Row]

    /// The rows of `dimension` over `interval` (treatment and control together) in `phase` (nil: every phase).
    /// Each row's trend covers `trendInterval` with one point per `step`.
    static func read(_ dimension: MetricDimension, cap: Int, admitted: [MetricDimension: Set<String>], metrics: MetricsQuery,
                     over interval: MetricsQuery.Interval, trendOver trendInterval: MetricsQuery.Interval, step: TimeInterval,
                     phase: String?) async throws -> BreakdownTable {
        let (values, full) = BreakdownRequest.groups(of: dimension, admitted: admitted, cap: cap)
        var rows: [Row] = []
        for value in values {
            let segment = Segment(dimension, value)
            let measured = try await metrics.values(columns, over: interval, phase: phase, variant: nil, segment: segment)
            let trend = try await metrics.series(trendMetric, over: trendInterval, step: step, phase: phase, variant: nil, segment: segment)
            // A step still under way would end every line in a drop: only whole steps are drawn.
            let whole = trend.filter { $0.0.addingTimeInterval(step) <= trendInterval.end.addingTimeInterval(60) }
            rows.append(Row(value: value, values: measured, trend: whole.map { ($0.0, $0.1.samples > 0 ? $0.1.value : nil) }))
        }
        return BreakdownTable(dimension: dimension, cap: cap, full: full, rows: sorted(rows))
    }

    /// Busiest first (by events of any kind: interactions, then users), then by name; `other` last.
    static func sorted(_ rows: [Row]) -> [Row] {
        rows.sorted { lhs, rhs in
            if (lhs.value == MetricDimension.otherValue) != (rhs.value == MetricDimension.otherValue) { return rhs.value == MetricDimension.otherValue }
            let left = (lhs.values[.interactions]?.value ?? 0, lhs.values[.activeUsers]?.value ?? 0)
            let right = (rhs.values[.interactions]?.value ?? 0, rhs.values[.activeUsers]?.value ?? 0)
            return left != right ? left > right : lhs.value < rhs.value
        }
    }

    var header: [String] { [dimension.rawValue, "\(Self.trendMetric.rawValue) over time"] + Self.columns.map(\.rawValue) }

    /// The rows as table cells: the value, its sparkline, then `columns`.
    var htmlCells: [[HTML]] {
        zip(rows, cells).map { row, cells in
            let spark = Sparkline(name: "\(Self.trendMetric.rawValue) of \(dimension.rawValue) \(row.value)", unit: Self.trendMetric.unit,
                                  points: row.trend)
            return [HTML.text(cells[0]), spark.render()] + cells.dropFirst().map { HTML.text($0) }
        }
    }

    /// Each cell in the metric's unit; "–" where the segment has no samples.
    var cells: [[String]] {
        rows.map { row in
            [row.value] + Self.columns.map { metric in
                guard let value = row.values[metric], value.samples > 0, let number = value.value else { return "–" }
                return ChartAxis.format(number, unit: metric.unit)
            }
        }
    }

    /// What the table covers and what `other` means.
    var caption: String {
        "\(rows.count) value\(rows.count == 1 ? "" : "s") of \(dimension.rawValue) (at most \(cap) are kept"
            + (full ? "; later values count as other)" : ")")
    }
}
