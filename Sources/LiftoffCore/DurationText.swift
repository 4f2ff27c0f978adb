import Foundation

/// Durations as plans and queries write them: a whole number and a unit, `0s`, `90s`, `5m`, `24h`, `14d`, `2w`.
public enum DurationText {
    private static let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]

    /// The duration in seconds, or nil when `text` is not of that form.
    public static func parse(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let seconds = units[unit] else { return nil }
        let digits = text.dropLast()
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let amount = Int(digits), amount >= 0 else { return nil }
        return TimeInterval(amount) * seconds
    }

    /// The shortest exact text for `seconds` (`90s`, `5m`, `14d`).
    public static func format(_ seconds: TimeInterval) -> String {
        let whole = Int(seconds)
        for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60)] where whole >= size && whole % size == 0 {
            return "\(whole / size)\(unit)"
        }
        return "\(whole)s"
    }
}
