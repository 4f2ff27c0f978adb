import Foundation
import Hummingbird
import LiftoffAPI
import LiftoffCore

/// `GET /v1/insights/…`: learning patterns. Feature usage is read from the per-feature aggregates (the plan
/// must declare the `feature` dimension); learning paths and items' abandonment from completion events.
struct InsightsController {
    let query: MetricsQuery

    func addRoutes(to routes: inout ScopedRoutes) {
        routes.add(.get, "/v1/insights/feature-usage", scope: .read, query: ["window", "phase", "variant"]) { request, _, _ in
            try await featureUsage(request)
        }
        routes.add(.get, "/v1/insights/problem-areas", scope: .read, query: ["window", "phase", "variant"]) { request, _, _ in
            try await problemAreas(request)
        }
        routes.add(.get, "/v1/insights/learning-paths", scope: .read, query: ["window", "phase", "variant", "depth"]) { request, _, _ in
            try await learningPaths(request)
        }
    }

    /// What an insights request asks about: the window (7 days unless said), the phase and the variant.
    private struct Scope {
        var windowText: String
        var interval: MetricsQuery.Interval
        var phase: String?
        var variant: Variant?
    }

    private func scope(_ request: Request) throws -> Scope {
        let parameters = request.uri.queryParameters
        let windowText = parameters.get("window") ?? "7d"
        let window = try MetricsController.window(windowText)
        let (phase, variant) = try MetricsController.filters(parameters.get("phase"), parameters.get("variant"))
        return Scope(windowText: windowText, interval: try query.interval(of: window, phase: phase), phase: phase, variant: variant)
    }

    private func problemAreas(_ request: Request) async throws -> Response {
        let scope = try scope(request)
        let variant = scope.variant ?? .treatment
        let featureCap = query.rollout.snapshot.plan.dimensions[.feature]
        let paths = try await LearningPathReading.read(query.store, over: scope.interval, phase: scope.phase, variant: variant)
        let areas = try await ProblemAreaRanking.rank(query, over: scope.interval, phase: scope.phase, variant: variant,
                                                      featureCap: featureCap, paths: paths.analysis)
        var notes: [String] = []
        if featureCap == nil {
            notes.append("features are not ranked: the plan does not declare the feature dimension (dimensions: { feature: { maxValues: 20 } })")
        }
        if paths.truncated {
            notes.append("items are ranked on the window's oldest \(paths.completions) completion events: more fell in the window")
        }
        return try JSONBody.response(ProblemAreas(window: scope.windowText, phase: scope.phase, variant: variant.rawValue,
                                                  from: scope.interval.start, to: scope.interval.end, areas: areas, notes: notes))
    }

    private func learningPaths(_ request: Request) async throws -> Response {
        let scope = try scope(request)
        let depth = try Self.depth(request.uri.queryParameters.get("depth"))
        let reading = try await LearningPathReading.read(query.store, over: scope.interval, phase: scope.phase, variant: scope.variant, depth: depth)
        return try JSONBody.response(reading.answer(window: scope.windowText, phase: scope.phase, variant: scope.variant,
                                                    interval: scope.interval, depth: depth))
    }

    /// The longest sequence counted: 2 to 10 items, 5 unless said.
    static func depth(_ text: String?) throws -> Int {
        guard let text else { return 5 }
        guard let depth = Int(text), (2...10).contains(depth) else {
            throw APIError.badRequest("depth must be a whole number from 2 to 10 (the longest sequence of items counted), got '\(text)'")
        }
        return depth
    }

    private func featureCap() throws -> Int {
        guard let cap = query.rollout.snapshot.plan.dimensions[.feature] else {
            throw APIError.badRequest("insights are read from per-feature numbers, and the plan does not declare the feature dimension; "
                + "add dimensions: { feature: { maxValues: 20 } } to the plan")
        }
        return cap
    }

    private func featureUsage(_ request: Request) async throws -> Response {
        let scope = try scope(request)
        let cap = try featureCap()
        let (windowText, interval, phase, variant) = (scope.windowText, scope.interval, scope.phase, scope.variant)
        let (rows, full) = try await FeatureUsageReading.read(query, over: interval, phase: phase,
                                                              variants: variant.map { [$0] } ?? [.treatment, .control], cap: cap)
        return try JSONBody.response(FeatureUsage(window: windowText, phase: phase, from: interval.start, to: interval.end,
                                                  maxValues: cap, full: full, features: rows))
    }
}
