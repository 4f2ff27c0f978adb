/// Markup that cannot carry an unescaped value. Text enters only through `text`, which escapes it; tag and
/// attribute names only as compile-time literals (`StaticString`), so no value can become a name; attribute values
/// are always escaped; and the only content that is not escaped — a stylesheet, a script — must be a literal of
/// this code too. A page or report is made of these, never of strings with values interpolated into markup.
public struct HTML: Sendable, CustomStringConvertible {
    public private(set) var description: String = ""

    /// No markup.
    public init() {}

    private init(markup: String) { description = markup }

    /// Attributes in order: names are literals, values any text (escaped when rendered).
    public typealias Attributes = KeyValuePairs<StaticString, String>

    /// One attribute, for lists built as the page is (`aria-current` on the current page's link only).
    public typealias Attribute = (name: StaticString, value: String)

    /// `value` as text: every character that could start markup is escaped.
    public static func text(_ value: String) -> HTML { HTML(markup: ReportText.escape(value)) }

    /// `<tag attributes>content</tag>`.
    public static func element(_ tag: StaticString, _ attributes: Attributes = [:], _ content: HTML = HTML()) -> HTML {
        element(tag, attributes: attributes.map { (name: $0.key, value: $0.value) }, content)
    }

    /// `<tag attributes>content</tag>` with attributes chosen at run time.
    public static func element(_ tag: StaticString, attributes: [Attribute], _ content: HTML = HTML()) -> HTML {
        HTML(markup: "<\(tag)\(render(attributes))>\(content.description)</\(tag)>")
    }

    /// `<tag attributes>` for the elements HTML closes by itself (`input`, `meta`).
    public static func void(_ tag: StaticString, _ attributes: Attributes = [:]) -> HTML { void(tag, attributes: attributes.map { (name: $0.key, value: $0.value) }) }

    /// `<tag attributes>` with attributes chosen at run time.
    public static func void(_ tag: StaticString, attributes: [Attribute]) -> HTML {
        HTML(markup: "<\(tag)\(render(attributes))>")
    }

    /// A `<style>` element with a stylesheet written in this code.
    public static func style(_ css: StaticString) -> HTML { HTML(markup: "<style>\(css)</style>") }

    /// A `<script>` element with a script written in this code.
    public static func script(_ code: StaticString) -> HTML { HTML(markup: "<script>\(code)</script>") }

    /// A whole document: the doctype, `<html lang>`, a head with the charset, viewport, title and `head`, and the body.
    public static func document(title: String, head: HTML = HTML(), body: HTML, bodyAttributes: Attributes = [:]) -> HTML {
        var header = void("meta", ["charset": "utf-8"])
        header.append(void("meta", ["name": "viewport", "content": "width=device-width, initial-scale=1"]))
        header.append(element("title", [:], text(title)))
        header.append(head)
        var page = HTML(markup: "<!doctype html>")
        page.append(element("html", ["lang": "en"], element("head", [:], header) + element("body", bodyAttributes, body)))
        return page
    }

    public mutating func append(_ other: HTML) { description += other.description }

    public mutating func text(_ value: String) { description += ReportText.escape(value) }

    public static func + (left: HTML, right: HTML) -> HTML {
        var joined = left
        joined.append(right)
        return joined
    }

    /// The parts one after another, appended into one buffer (folding with `+` would copy the growing markup
    /// once per part: quadratic for a long table).
    public static func join(_ parts: [HTML]) -> HTML { parts.reduce(into: HTML()) { $0.append($1) } }

    private static func render(_ attributes: [Attribute]) -> String {
        attributes.map { " \($0.name)=\"\(ReportText.escape($0.value))\"" }.joined()
    }
}
