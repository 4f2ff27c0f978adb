import Foundation
import LiftoffAPI

/// The axes of a dashboard chart: where ticks go and how values read. Pure, so the numbers people read on a
/// chart are unit-tested. Ticks follow the usual "nice numbers" rule (steps of 1, 2, 2.5 or 5 × 10^k; Heckbert,
/// Graphics Gems, 1990); times step by whole minutes, hours or days in UTC.
enum ChartAxis {
    /// Value ticks from 0 to at least `maximum`, about `count` steps apart, the last one the axis's top.
    static func valueTicks(upTo maximum: Double, count: Int = 4) -> [Double] {
        guard maximum > 0, maximum.isFinite else { return [0, 1] }
        let rough = maximum / Double(count)
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        let steps = Int((maximum / step).rounded(.up))
        return (0...max(steps, 1)).map { Double($0) * step }
    }

    /// The steps a time axis may take, in seconds: whole minutes, hours, days.
    static let timeSteps: [TimeInterval] = [60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400, 2 * 86_400, 7 * 86_400,
                                            14 * 86_400, 30 * 86_400]

    /// A time axis as SVG: a tick below `baseline` and its label at each of `timeTicks`' times, placed by `x`; a
    /// label within `edgeMargin` of either end (`left`, `right`) is anchored inside the chart, not cut off by it.
    static func timeAxis(from start: Date, to end: Date, target: Int = 6, baseline: Double, left: Double, right: Double,
                         edgeMargin: Double, x: (Date) -> Double) -> HTML {
        func number(_ value: Double) -> String { String(format: "%.1f", value) }
        var svg = HTML()
        for (time, text) in timeTicks(from: start, to: end, target: target) {
            let position = number(x(time))
            svg.append(.element("line", ["x1": position, "y1": number(baseline), "x2": position, "y2": number(baseline + 4),
                                         "stroke": "#8c959f"]))
            let anchor = x(time) > right - edgeMargin ? "end" : (x(time) < left + edgeMargin ? "start" : "middle")
            svg.append(.element("text", ["x": position, "y": number(baseline + 15), "font-size": "10", "text-anchor": anchor,
                                         "fill": "#57606a"], .text(text)))
        }
        return svg
    }

    /// Tick times within `start...end` at the smallest step giving at most `target` ticks, aligned to whole
    /// steps in UTC, with their labels: `HH:mm` below a day's step (with the date where the day changes), `MMM d`
    /// from a day up.
    static func timeTicks(from start: Date, to end: Date, target: Int = 6) -> [(Date, String)] {
        let span = max(end.timeIntervalSince(start), 1)
        let step = timeSteps.first { span / $0 <= Double(target) } ?? timeSteps[timeSteps.count - 1]
        var tick = (start.timeIntervalSince1970 / step).rounded(.up) * step
        var ticks: [(Date, String)] = []
        var lastDay: String?
        while tick <= end.timeIntervalSince1970 {
            let date = Date(timeIntervalSince1970: tick)
            let parts = utc.dateComponents([.hour, .minute], from: date)
            let day = Self.day(date)
            if step >= 86_400 {
                ticks.append((date, day))
            } else {
                let time = String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
                ticks.append((date, lastDay == nil || lastDay == day ? time : "\(day) \(time)"))
            }
            lastDay = day
            tick += step
        }
        return ticks
    }

    /// The UTC day of `date` as an axis reads it: `Nov 30`.
    static func day(_ date: Date) -> String {
        let parts = utc.dateComponents([.month, .day], from: date)
        return "\(months[(parts.month ?? 1) - 1]) \(parts.day ?? 1)"
    }

    /// A moment as a tooltip reads it: `Nov 30 10:02 UTC`.
    static func moment(_ date: Date) -> String {
        let parts = utc.dateComponents([.hour, .minute], from: date)
        return "\(day(date)) " + String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0) + " UTC"
    }

    /// A value as people read it in `unit` (the catalog's units): `3.2 s`, `850 ms`, `$31.46`, `0.8%`,
    /// `1.2M tokens`, `12k`.
    static func format(_ value: Double, unit: String) -> String {
        switch unit {
        case "ms": return abs(value) >= 1000 ? "\(short(value / 1000)) s" : "\(short(value)) ms"
        case "s":
            if abs(value) >= 3600 { return "\(short(value / 3600)) h" }
            return abs(value) >= 60 ? "\(short(value / 60)) min" : "\(short(value)) s"
        case "USD": return abs(value) >= 1 || value == 0 ? String(format: "$%.2f", value) : "$\(short(value))"
        case "ratio": return "\(short(value * 100))%"
        case "count", "", "1–5": return compact(value)
        default: return "\(compact(value)) \(unit)"
        }
    }

    /// Thousands as k, millions as M, billions as B, with up to three significant digits.
    static func compact(_ value: Double) -> String {
        for (limit, suffix) in [(1e9, "B"), (1e6, "M"), (1e3, "k")] where abs(value) >= limit {
            return short(value / limit) + suffix
        }
        return short(value)
    }

    /// Up to three significant digits, without trailing zeros: 3.2, 850, 0.0123.
    private static func short(_ value: Double) -> String {
        guard value != 0 else { return "0" }
        let digits = max(0, 2 - Int(floor(log10(abs(value)))))
        var text = String(format: "%.\(min(digits, 6))f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
