import Foundation

/// A whole UTC minute, counted from the Unix epoch: minute n covers [60·n s, 60·(n+1) s). The unit of the
/// per-minute aggregates and of every metric window.
public struct MinuteIndex: RawRepresentable, Hashable, Comparable, Strideable, Sendable, CustomStringConvertible {
    public var rawValue: Int64

    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// The minute that contains `date`.
    public init(containing date: Date) { rawValue = Int64((date.timeIntervalSince1970 / 60).rounded(.down)) }

    /// The minute's first instant.
    public var start: Date { Date(timeIntervalSince1970: Double(rawValue) * 60) }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    /// In minutes.
    public func distance(to other: Self) -> Int64 { other.rawValue - rawValue }
    public func advanced(by minutes: Int64) -> Self { Self(rawValue: rawValue + minutes) }
    public var description: String { "minute \(rawValue)" }
}

/// A whole UTC day, counted from the Unix epoch: day n covers [86 400·n s, 86 400·(n+1) s). The unit of
/// retention cohorts.
public struct DayIndex: RawRepresentable, Hashable, Comparable, Strideable, Sendable, CustomStringConvertible {
    public var rawValue: Int64

    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// The day that contains `date`.
    public init(containing date: Date) { rawValue = Int64((date.timeIntervalSince1970 / 86_400).rounded(.down)) }

    /// The day's first instant (00:00 UTC).
    public var start: Date { Date(timeIntervalSince1970: Double(rawValue) * 86_400) }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    /// In days.
    public func distance(to other: Self) -> Int64 { other.rawValue - rawValue }
    public func advanced(by days: Int64) -> Self { Self(rawValue: rawValue + days) }
    public var description: String { "day \(rawValue)" }
}
