import Foundation
import Hummingbird
import LiftoffAPI
import LiftoffCore

/// `GET /v1/insights/feature-usage`: learning patterns read from the per-feature aggregates (the plan must
/// declare the `feature` dimension).
struct InsightsController {
    let query: MetricsQuery

    func addRoutes(to routes: inout ScopedRoutes) {
        routes.add(.get, "/v1/insights/feature-usage", scope: .read, query: ["window", "phase", "variant"]) { request, _, _ in
            try await featureUsage(request)
        }
        routes.add(.get, "/v1/insights/problem-areas", scope: .read, query: ["window", "phase", "variant"]) { request, _, _ in
            try await problemAreas(request)
        }
    }

    /// What an insights request asks about: the feature dimension's cap, the window (7 days unless said), the
    /// phase and the variant.
    private struct Scope {
        var cap: Int
        var windowText: String
        var interval: MetricsQuery.Interval
        var phase: String?
        var variant: Variant?
    }

    private func scope(_ request: Request) throws -> Scope {
        let parameters = request.uri.queryParameters
        let cap = try featureCap()
        let windowText = parameters.get("window") ?? "7d"
        let window = try MetricsController.window(windowText)
        let (phase, variant) = try MetricsController.filters(parameters.get("phase"), parameters.get("variant"))
        return Scope(cap: cap, windowText: windowText, interval: try query.interval(of: window, phase: phase), phase: phase, variant: variant)
    }

    private func problemAreas(_ request: Request) async throws -> Response {
        let scope = try scope(request)
        let variant = scope.variant ?? .treatment
        let areas = try await ProblemAreaRanking.rank(query, over: scope.interval, phase: scope.phase, variant: variant, cap: scope.cap)
        return try JSONBody.response(ProblemAreas(window: scope.windowText, phase: scope.phase, variant: variant.rawValue,
                                                  from: scope.interval.start, to: scope.interval.end, areas: areas))
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
        let (cap, windowText, interval, phase, variant) = (scope.cap, scope.windowText, scope.interval, scope.phase, scope.variant)
        let (features, full) = BreakdownRequest.groups(of: .feature, admitted: try await query.store.dimensionValues(), cap: cap)
        let variants = variant.map { [$0] } ?? [.treatment, .control]
        let measured: [Metric] = [.interactions, .activeUsers]
        var usage: [String: [String: FeatureUsage.Usage]] = [:]
        for variant in variants {
            let whole = try await query.values(measured, over: interval, phase: phase, variant: variant)
            for feature in features {
                let part = try await query.values(measured, over: interval, phase: phase, variant: variant, segment: Segment(.feature, feature))
                usage[feature, default: [:]][variant.rawValue] = FeatureUsage.Usage(
                    interactions: Self.count(part[.interactions]), interactionShare: Self.share(part[.interactions], of: whole[.interactions]),
                    users: Self.count(part[.activeUsers]), userShare: Self.share(part[.activeUsers], of: whole[.activeUsers]))
            }
        }
        let rows = usage.map { FeatureUsage.Row(feature: $0.key, variants: $0.value) }.sorted { lhs, rhs in
            let left = lhs.variants.values.reduce(0) { $0 + $1.interactions }, right = rhs.variants.values.reduce(0) { $0 + $1.interactions }
            return left != right ? left > right : lhs.feature < rhs.feature
        }
        return try JSONBody.response(FeatureUsage(window: windowText, phase: phase, from: interval.start, to: interval.end,
                                                  maxValues: cap, full: full, features: rows))
    }

    private static func count(_ value: MetricValue?) -> Int { Int((value?.value ?? 0).rounded()) }

    private static func share(_ part: MetricValue?, of whole: MetricValue?) -> Double? {
        guard let total = whole?.value, total > 0 else { return nil }
        return (part?.value ?? 0) / total
    }
}
