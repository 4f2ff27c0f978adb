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
        routes.add(.get, "/v1/metrics", scope: .read, query: ["window", "names", "phase", "variant"]) { request, _, _ in try await values(request) }
        routes.add(.get, "/v1/metrics/series", scope: .read, query: ["name", "step", "window", "phase", "variant"]) { request, _, _ in try await series(request) }
    }

    private func values(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        let windowText = parameters.get("window") ?? "1h"
        let window = try Self.window(windowText)
        let metrics = try Self.metrics(parameters.get("names"))
        let (phase, variant) = try Self.filters(parameters.get("phase"), parameters.get("variant"))
        let interval = try query.interval(of: window, phase: phase)
        let values = try await query.values(metrics, over: interval, phase: phase, variant: variant)
        let body = Dictionary(uniqueKeysWithValues: values.map { metric, value in
            (metric.rawValue, MetricValueView(value: value.value, samples: value.samples, unit: metric.unit))
        })
        return try JSONBody.response(MetricValues(window: windowText, phase: phase, variant: variant,
                                            from: interval.start, to: interval.end, metrics: body))
    }

    private func series(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        guard let name = parameters.get("name") else { throw APIError.badRequest("name: required (one catalog metric)") }
        guard let metric = Metric(rawValue: name) else { throw APIError.badRequest("name: unknown metric '\(name)'") }
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
        let values = try await query.series(metric, over: interval, step: step, phase: phase, variant: variant)
        return try JSONBody.response(MetricSeries(
            name: name, step: stepText, window: windowText, phase: phase, variant: variant,
            points: values.map { MetricPoint(t: $0.0, value: $0.1.value, samples: $0.1.samples) }))
    }

    static func window(_ text: String) throws -> MetricWindow {
        guard let window = MetricWindow(text) else {
            throw APIError.badRequest("window: '\(text)' is not a duration such as 30s, 5m, 1h, 7d, nor 'phase' or 'all'")
        }
        return window
    }

    static func metrics(_ names: String?) throws -> [Metric] {
        guard let names, !names.isEmpty else { return Metric.allCases }
        return try names.split(separator: ",").map { name in
            guard let metric = Metric(rawValue: String(name)) else {
                throw APIError.badRequest("names: unknown metric '\(name)'")
            }
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
