import Foundation
import LiftoffCore

/// Values as text for people, the same in every rendering (Markdown, HTML, the dashboard, the CLI):
/// whole numbers without decimals, others to four significant digits, absent values as "–", lists as
/// comma-separated items ("none" when empty), never JSON.
public enum ReportText {
    public static let absent = "–"

    public static func number(_ value: Double?) -> String {
        guard let value else { return absent }
        return value.rounded() == value && abs(value) < 1e12 ? String(Int(value)) : String(format: "%.4g", value)
    }

    public static func number(_ value: Int?) -> String { value.map(String.init) ?? absent }

    public static func time(_ value: Date?) -> String { value.map(Timestamp.format) ?? absent }

    public static func text(_ value: String?) -> String { value ?? absent }

    public static func list(_ items: [String]) -> String { items.isEmpty ? "none" : items.joined(separator: ", ") }

    /// Any JSON value (an event's fields): objects as `key: value` pairs in key order.
    public static func json(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: return text
        case .number(let number)?: return self.number(number)
        case .bool(let flag)?: return flag ? "yes" : "no"
        case .array(let items)?: return list(items.map { json($0) })
        case .object(let members)?: return members.keys.sorted().map { "\($0): \(json(members[$0]))" }.joined(separator: "; ")
        case .null?, nil: return absent
        }
    }

    /// A signed percentage: 0.123 → "+12.3%".
    public static func percent(_ value: Double?) -> String {
        guard let value else { return absent }
        return String(format: "%+.1f%%", value * 100)
    }

    /// A share as a percentage: 0.123 → "12.3%".
    public static func share(_ value: Double?) -> String {
        guard let value else { return absent }
        return String(format: "%.1f%%", value * 100)
    }

    /// "lower to upper", a side "unbounded" where the data cannot bound it; "–" without an interval.
    public static func interval(_ sides: IntervalSides?) -> String {
        guard let sides else { return absent }
        let side = { (value: Double?) in value.map { number($0) } ?? "unbounded" }
        return "\(side(sides.lower)) to \(side(sides.upper))"
    }

    /// Text safe inside HTML elements and quoted attributes.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}

/// A titled table of text cells, the unit the Markdown and HTML renderings share.
public struct ReportTable: Sendable, Equatable {
    public var title: String
    public var header: [String]
    public var rows: [[String]]

    public init(title: String, header: [String], rows: [[String]]) {
        self.title = title
        self.header = header
        self.rows = rows
    }

    /// A GitHub-flavoured Markdown section; "none" for a table without rows.
    public var markdown: [String] {
        var lines = ["## \(title)", ""]
        guard !rows.isEmpty else { return lines + ["none", ""] }
        lines.append("| " + header.joined(separator: " | ") + " |")
        lines.append("|" + String(repeating: " --- |", count: header.count))
        for row in rows { lines.append("| " + row.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |") }
        lines.append("")
        return lines
    }

    /// An HTML section; every cell escaped.
    public var html: HTML {
        var body = HTML.element("h2", [:], .text(title))
        guard !rows.isEmpty else { return body + .element("p", [:], .text("none")) }
        let head = HTML.element("thead", [:], .element("tr", [:], .join(header.map { .element("th", ["scope": "col"], .text($0)) })))
        let cells = rows.map { row in HTML.element("tr", [:], .join(row.map { .element("td", [:], .text($0)) })) }
        body.append(.element("table", [:], head + .element("tbody", [:], .join(cells))))
        return body
    }
}
