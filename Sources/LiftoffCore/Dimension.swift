/// What numbers can be broken down by. Each event counts once in the whole population and once more under the
/// value it has of each dimension the plan declares (`Plan.dimensions`), so a breakdown reads per-value
/// aggregates instead of raw events.
public enum MetricDimension: String, Sendable, CaseIterable, Codable, Comparable {
    /// The product feature: `feature` of an AI interaction, a feedback or an integrity violation.
    case feature
    /// The model of an AI interaction.
    case model
    /// The user's latest assessed level (`level` of their most recent assessment that has one), for any event
    /// of the user from that assessment on.
    case skillLevel
    /// The event's `region` field.
    case region

    /// The value every value past a dimension's cap counts under.
    public static let otherValue = "other"

    public static func < (lhs: MetricDimension, rhs: MetricDimension) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The names, for messages that list what may be asked for.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// One value of one dimension: the slice of the population a breakdown row, a filter or a segment criterion
/// is about.
public struct Segment: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var dimension: MetricDimension
    public var value: String

    public init(_ dimension: MetricDimension, _ value: String) {
        self.dimension = dimension
        self.value = value
    }

    /// `dimension=value`, as a query string writes it.
    public var description: String { "\(dimension.rawValue)=\(value)" }

    public static func < (lhs: Segment, rhs: Segment) -> Bool { (lhs.dimension, lhs.value) < (rhs.dimension, rhs.value) }
}
