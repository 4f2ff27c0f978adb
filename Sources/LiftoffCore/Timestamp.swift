import Foundation

/// RFC 3339 timestamps, as events carry them and the API prints them.
public enum Timestamp {
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let withoutFraction = Date.ISO8601FormatStyle()

    /// Parses `2026-11-29T10:00:00Z`, with or without fractional seconds, in UTC or with an offset.
    public static func parse(_ text: String) -> Date? {
        if let date = try? withoutFraction.parse(text) { return date }
        return try? withFraction.parse(text)
    }

    /// Formats a date in UTC with millisecond precision.
    public static func format(_ date: Date) -> String {
        withFraction.format(date)
    }
}
