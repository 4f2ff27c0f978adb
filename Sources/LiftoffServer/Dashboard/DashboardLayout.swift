import Foundation
import LiftoffAPI
import LiftoffCore

/// The frame of every page: navigation, the signed-in key, a flash message, and the script that keeps the
/// page live by fetching it again every two seconds and swapping in the new content.
enum DashboardLayout {
    static func page(title: String, current: DashboardPath, session: DashboardSessions.Session?, message: String?, content: HTML) -> String {
        var nav = HTML()
        if let session {
            for (path, name) in DashboardPath.pages {
                var attributes: [HTML.Attribute] = [("href", path.rawValue)]
                if path == current { attributes.append(("aria-current", "page")) }
                nav.append(.element("a", attributes: attributes, .text(name)))
            }
            let logout = csrf(session) + .element("button", ["type": "submit"], .text("Log out"))
            nav.append(.element("span", ["class": "who"], .text("\(session.key.name) (\(session.key.scope.rawValue))")))
            nav.append(.element("form", ["method": "post", "action": DashboardPath.logout.rawValue], logout))
        }
        var body = HTML.element("header", [:], .element("strong", [:], .text("Liftoff")) + .element("nav", ["aria-label": "Pages"], nav))
        if let message { body.append(.element("p", ["class": "flash", "role": "status"], .text(message))) }
        body.append(.element("main", ["id": "live"], content))
        if session != nil { body.append(.script(liveScript)) }
        return HTML.document(title: "\(title) · Liftoff", head: .style(Stylesheet.css), body: body).description
    }

    /// Re-fetches the page every 2 s and replaces the content when it changed; pauses while a form has focus.
    static let liveScript: StaticString = """
        setInterval(async()=>{const a=document.activeElement;if(a&&a.form)return;
        try{const r=await fetch(location.href,{credentials:'same-origin'});if(!r.ok)return;
        const d=new DOMParser().parseFromString(await r.text(),'text/html');const n=d.getElementById('live');const o=document.getElementById('live');
        if(n&&o&&n.innerHTML!==o.innerHTML)o.innerHTML=n.innerHTML;}catch(e){}},2000);
        """

    /// The session's CSRF token as a hidden field, which every POST form carries.
    static func csrf(_ session: DashboardSessions.Session) -> HTML {
        .void("input", ["type": "hidden", "name": "csrf", "value": session.csrf])
    }

    /// A POST form with the session's CSRF token.
    static func form(_ path: DashboardPath, session: DashboardSessions.Session, fields: HTML, button: String, danger: Bool = false) -> HTML {
        let submit = danger ? HTML.element("button", ["type": "submit", "class": "danger"], .text(button))
            : HTML.element("button", ["type": "submit"], .text(button))
        let content = csrf(session) + fields + submit
        return .element("form", ["method": "post", "action": path.rawValue, "class": "inline"], content)
    }

    static func input(_ name: String, label: String, type: String = "text", required: Bool = false, value: String? = nil) -> HTML {
        var attributes: [HTML.Attribute] = [("type", type), ("name", name), ("aria-label", label)]
        if type == "text" { attributes.append(("placeholder", label)) }
        if let value { attributes.append(("value", value)) }
        if required { attributes.append(("required", "")) }
        let field = HTML.void("input", attributes: attributes)
        if type == "checkbox" { return .element("label", [:], field + .text(" \(label)")) }
        return field
    }

    static func table(_ header: [String], _ rows: [[HTML]]) -> HTML {
        let head = HTML.element("thead", [:], .element("tr", [:], .join(header.map { .element("th", ["scope": "col"], .text($0)) })))
        var body = HTML.join(rows.map { row in .element("tr", [:], .join(row.map { .element("td", [:], $0) })) })
        if rows.isEmpty { body = .element("tr", [:], .element("td", ["colspan": String(header.count)], .text("none"))) }
        return .element("table", [:], head + .element("tbody", [:], body))
    }

    static func number(_ value: Double?) -> String {
        guard let value else { return "–" }
        return value.rounded() == value && abs(value) < 1e12 ? String(Int(value)) : String(format: "%.4g", value)
    }

    /// `0.002 – 0.0175`; "exact" for values judged as they are, "unbounded" for an open side.
    static func interval(_ interval: ConfidenceInterval?) -> String {
        guard let interval else { return "exact" }
        let side = { (value: Double) in value.isFinite ? number(value) : "unbounded" }
        return "\(side(interval.lower)) – \(side(interval.upper))"
    }

    /// A span of days as people say it: `45 minutes`, `10.0 hours`, `3.5 days`.
    static func days(_ days: Double) -> String {
        if days < 1.0 / 24 { let minutes = Int((days * 1440).rounded()); return minutes == 1 ? "1 minute" : "\(minutes) minutes" }
        if days < 1 { return String(format: "%.1f hours", days * 24) }
        return String(format: "%.1f days", days)
    }

    /// A criterion's samples against its `minSamples`, as text and as a bar that fills as they come in (none for
    /// criteria without a minimum, such as counts of findings).
    static func sampleProgress(_ result: CriterionResult) -> HTML {
        let minimum = result.criterion.minSamples
        let text = HTML.text("\(result.samples) / \(minimum)")
        guard minimum > 0 else { return text }
        let filled = min(result.samples, minimum)
        return text + .text(" ") + .element("meter", ["min": "0", "max": String(minimum), "value": String(filled),
                                                      "aria-label": "\(result.label): \(filled) of \(minimum) samples"],
                                            .text("\(filled) of \(minimum)"))
    }

    /// What `samplesNeeded` means for a person.
    static func samplesNeeded(_ result: CriterionResult) -> String {
        guard result.value != nil else { return "–" }
        guard let needed = result.samplesNeeded else { return "never at this value" }
        return needed == 0 ? "none" : "about \(needed)"
    }

    static func time(_ date: Date?) -> String { date.map { String(Timestamp.format($0).prefix(16)).replacingOccurrences(of: "T", with: " ") } ?? "–" }
}
