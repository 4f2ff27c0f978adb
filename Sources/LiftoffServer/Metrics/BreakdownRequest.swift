import LiftoffCore

/// What a metrics request asks about beyond phase and variant: the whole population, one segment
/// (`feature=code_analysis`), or every value of one dimension (`groupBy=feature`). Only dimensions the plan
/// declares are kept, so anything else is refused with the ones that are.
enum BreakdownRequest: Equatable {
    case whole
    case segment(Segment)
    case groupBy(MetricDimension)

    /// The query parameters this reads.
    static let parameters = MetricDimension.allCases.map(\.rawValue) + ["groupBy"]

    /// Reads the dimension filters and `groupBy` from `query` (parameter name to value) against `declared`.
    static func parse(_ query: [String: String], declared: [MetricDimension: Int]) throws -> BreakdownRequest {
        var filters: [Segment] = []
        for dimension in MetricDimension.allCases {
            guard let value = query[dimension.rawValue] else { continue }
            try requireDeclared(dimension, parameter: dimension.rawValue, declared)
            guard !value.isEmpty else { throw APIError.badRequest("\(dimension.rawValue): empty; give one value, such as \(dimension.rawValue)=\(example(dimension))") }
            filters.append(Segment(dimension, value))
        }
        let groupBy = try query["groupBy"].map { name -> MetricDimension in
            guard let dimension = MetricDimension(rawValue: name) else {
                throw APIError.badRequest("groupBy: '\(name)' is not a dimension; one of \(MetricDimension.names)")
            }
            try requireDeclared(dimension, parameter: "groupBy", declared)
            return dimension
        }
        // Aggregates are kept per value of one dimension, not per combination: a combination cannot be answered.
        if filters.count > 1 {
            throw APIError.badRequest("\(filters.map(\.dimension.rawValue).joined(separator: ", ")): one dimension at a time; numbers are "
                + "kept per value of each dimension, not per combination")
        }
        if let groupBy, let filter = filters.first {
            throw APIError.badRequest("groupBy: \(groupBy.rawValue) with the filter \(filter): one dimension at a time; group by one or "
                + "filter by one")
        }
        if let groupBy { return .groupBy(groupBy) }
        if let filter = filters.first { return .segment(filter) }
        return .whole
    }

    private static func requireDeclared(_ dimension: MetricDimension, parameter: String, _ declared: [MetricDimension: Int]) throws {
        guard declared[dimension] == nil else { return }
        let names = declared.keys.sorted().map(\.rawValue)
        throw APIError.badRequest("\(parameter): the plan does not break numbers down by \(dimension.rawValue); "
            + (names.isEmpty ? "it declares no dimensions (add `dimensions:` to the plan)" : "it declares \(names.joined(separator: ", "))"))
    }

    private static func example(_ dimension: MetricDimension) -> String {
        switch dimension {
        case .feature: "code_analysis"
        case .model: "gpt-4o-mini"
        case .skillLevel: "beginner"
        case .region: "eu-west"
        }
    }

    /// The segments a `groupBy` answers: every admitted value, and `other` once the dimension is full.
    static func groups(of dimension: MetricDimension, admitted: [MetricDimension: Set<String>], cap: Int) -> (values: [String], full: Bool) {
        let values = (admitted[dimension] ?? []).sorted()
        let full = values.count >= cap
        return (full ? values + [MetricDimension.otherValue] : values, full)
    }
}
