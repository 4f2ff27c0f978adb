import LiftoffAPI
/// HTML built from escaped text: user and plan text can only enter through `text`, which escapes it, so a
/// page cannot be made to run someone's script.
struct HTML: Sendable, CustomStringConvertible {
    private(set) var description: String = ""

    init() {}

    /// Trusted markup written by this code.
    init(raw markup: String) { description = markup }

    static func text(_ value: String) -> HTML { HTML(raw: ReportText.escape(value)) }

    mutating func append(_ other: HTML) { description += other.description }

    mutating func raw(_ markup: String) { description += markup }

    mutating func text(_ value: String) { description += ReportText.escape(value) }

    /// `<tag attributes>content</tag>` with escaped attribute values.
    static func element(_ tag: String, _ attributes: [(String, String)] = [], _ content: HTML = HTML()) -> HTML {
        let rendered = attributes.map { " \($0.0)=\"\(ReportText.escape($0.1))\"" }.joined()
        return HTML(raw: "<\(tag)\(rendered)>\(content)</\(tag)>")
    }
}
