import Foundation
import LiftoffAPI
import Hummingbird
import LiftoffCore

/// `GET /v1/metrics` and `GET /v1/metrics/series`: catalog metrics over a window, per phase and variant.
struct MetricsController {
    let query: MetricsQuery
    /// The most points one series request may ask for.
    static let maxPoints: Int64 = 10_080

    func addRoutes(to routes: inout ScopedRoutes) {
        routes.add(.get, "/v1/metrics", scope: .read, query: ["window", "names", "phase", "variant"] + BreakdownRequest.parameters) { request, _, _ in
            try await values(request)
        }
        routes.add(.get, "/v1/metrics/series", scope: .read, query: ["name", "step", "window", "phase", "variant"] + BreakdownRequest.parameters) {
            request, _, _ in try await series(request)
        }
    }

    private func values(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        let windowText = parameters.get("window") ?? "1h"
        let window = try Self.window(windowText)
        let breakdown = try breakdown(request)
        let metrics = try Self.metrics(parameters.get("names"), segmented: breakdown != .whole)
        let (phase, variant) = try Self.filters(parameters.get("phase"), parameters.get("variant"))
        let interval = try query.interval(of: window, phase: phase)
        func view(_ segment: Segment?) async throws -> [String: MetricValueView] {
            let values = try await query.values(metrics, over: interval, phase: phase, variant: variant, segment: segment)
            return Dictionary(uniqueKeysWithValues: values.map { metric, value in
                (metric.rawValue, MetricValueView(value: value.value, samples: value.samples, unit: metric.unit))
            })
        }
        let parts = try await answer(breakdown, view)
        var answer = MetricValues(window: windowText, phase: phase, variant: variant, from: interval.start, to: interval.end,
                                  metrics: parts.whole ?? [:])
        (answer.segment, answer.groupBy, answer.maxValues, answer.full, answer.groups) = (parts.segment, parts.groupBy, parts.maxValues,
                                                                                         parts.full, parts.groups)
        return try JSONBody.response(answer)
    }

    private func breakdown(_ request: Request) throws -> BreakdownRequest {
        let parameters = request.uri.queryParameters
        var query: [String: String] = [:]
        for name in BreakdownRequest.parameters { if let value = parameters.get(name) { query[name] = value } }
        return try BreakdownRequest.parse(query, declared: self.query.rollout.snapshot.plan.dimensions)
    }

    /// What a values or series answer holds for `breakdown`: the whole population's part, one segment's, or
    /// one per value of the grouped dimension.
    private struct Parts<Part: Sendable>: Sendable {
        var whole: Part?
        var segment: String?
        var groupBy: String?
        var maxValues: Int?
        var full: Bool?
        var groups: [String: Part]?
    }

    private func answer<Part: Sendable>(_ breakdown: BreakdownRequest, _ part: (Segment?) async throws -> Part) async throws -> Parts<Part> {
        switch breakdown {
        case .whole:
            return Parts(whole: try await part(nil))
        case .segment(let segment):
            return Parts(whole: try await part(segment), segment: segment.description)
        case .groupBy(let dimension):
            let cap = query.rollout.snapshot.plan.dimensions[dimension] ?? Plan.defaultDimensionCap
            let (values, full) = BreakdownRequest.groups(of: dimension, admitted: try await query.store.dimensionValues(), cap: cap)
            var groups: [String: Part] = [:]
            for value in values { groups[value] = try await part(Segment(dimension, value)) }
            return Parts(groupBy: dimension.rawValue, maxValues: cap, full: full, groups: groups)
        }
    }

    private func series(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        guard let name = parameters.get("name") else { throw APIError.badRequest("name: required (one catalog metric)") }
        guard let metric = Metric(rawValue: name) else { throw APIError.badRequest("name: unknown metric '\(name)'") }
        let breakdown = try breakdown(request)
        if breakdown != .whole, metric.retentionDays != nil { throw Self.notPerSegment(metric, parameter: "name") }
        let stepText = parameters.get("step") ?? "1m"
        guard let step = DurationText.parse(stepText), step >= 60, Int(step) % 60 == 0 else {
            throw APIError.badRequest("step: '\(stepText)' is not a whole number of minutes such as 1m, 5m, 1h")
        }
        let windowText = parameters.get("window") ?? "1h"
        let window = try Self.window(windowText)
        let (phase, variant) = try Self.filters(parameters.get("phase"), parameters.get("variant"))
        let interval = try query.interval(of: window, phase: phase)
        let minutes = MetricWindow.minutes(from: interval.start, to: interval.end)
        let points = minutes.lowerBound.distance(to: minutes.upperBound) / Int64(step / 60) + 1
        guard points <= Self.maxPoints else {
            throw APIError.badRequest("step: \(stepText) over window \(windowText) gives \(points) points, the limit is \(Self.maxPoints)")
        }
        func seriesPoints(_ segment: Segment?) async throws -> [MetricPoint] {
            try await query.series(metric, over: interval, step: step, phase: phase, variant: variant, segment: segment)
                .map { MetricPoint(t: $0.0, value: $0.1.value, samples: $0.1.samples) }
        }
        let parts = try await answer(breakdown, seriesPoints)
        var answer = MetricSeries(name: name, step: stepText, window: windowText, phase: phase, variant: variant, points: parts.whole ?? [])
        (answer.segment, answer.groupBy, answer.maxValues, answer.full, answer.groups) = (parts.segment, parts.groupBy, parts.maxValues,
                                                                                         parts.full, parts.groups)
        return try JSONBody.response(answer)
    }

    /// Retention is counted from users' active days, which are kept for the whole population only.
    static func notPerSegment(_ metric: Metric, parameter: String) -> APIError {
        APIError.badRequest("\(parameter): \(metric.rawValue) is not kept per dimension value (retention is counted from users' "
            + "active days for the whole population); ask for it without a dimension filter or groupBy")
    }

    static func window(_ text: String) throws -> MetricWindow {
        guard let window = MetricWindow(text) else {
            throw APIError.badRequest("window: '\(text)' is not a duration such as 30s, 5m, 1h, 7d, nor 'phase' or 'all'")
        }
        return window
    }

    /// The asked metrics (all by default); for a segment, retention metrics are left out of the default and
    /// refused when named.
    static func metrics(_ names: String?, segmented: Bool = false) throws -> [Metric] {
        guard let names, !names.isEmpty else { return Metric.allCases.filter { !segmented || $0.retentionDays == nil } }
        return try names.split(separator: ",").map { name in
            guard let metric = Metric(rawValue: String(name)) else {
                throw APIError.badRequest("names: unknown metric '\(name)'")
            }
            if segmented, metric.retentionDays != nil { throw notPerSegment(metric, parameter: "names") }
            return metric
        }
    }

    static func filters(_ phase: String?, _ variant: String?) throws -> (String?, Variant?) {
        guard let variant else { return (phase, nil) }
        guard let parsed = Variant(rawValue: variant) else {
            throw APIError.badRequest("variant: '\(variant)' is not one of treatment, control")
        }
        return (phase, parsed)
    }
}
