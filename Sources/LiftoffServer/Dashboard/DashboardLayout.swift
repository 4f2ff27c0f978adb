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
                var attributes = [("href", path.rawValue)]
                if path == current { attributes.append(("aria-current", "page")) }
                nav.append(.element("a", attributes, .text(name)))
            }
            var logout = HTML(raw: "<input type=\"hidden\" name=\"csrf\" value=\"\(ReportText.escape(session.csrf))\">")
            logout.raw("<button type=\"submit\">Log out</button>")
            nav.raw("<span class=\"who\">")
            nav.text("\(session.key.name) (\(session.key.scope.rawValue))")
            nav.raw("</span>")
            nav.append(.element("form", [("method", "post"), ("action", DashboardPath.logout.rawValue)], logout))
        }
        var flash = HTML()
        if let message { flash = .element("p", [("class", "flash"), ("role", "status")], .text(message)) }
        return """
            <!doctype html><html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(ReportText.escape(title)) · Liftoff</title><style>\(style)</style></head>
            <body><header><strong>Liftoff</strong><nav aria-label="Pages">\(nav)</nav></header>
            \(flash)<main id="live">\(content)</main>
            <script>\(session == nil ? "" : liveScript)</script></body></html>
            """
    }

    static let style = """
        body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#fff}
        header{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;padding:.6rem 1rem;background:#0d1b2a;color:#fff}
        header nav{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center}header a{color:#cfe3ff}
        header a[aria-current]{color:#fff;font-weight:600;text-decoration:underline}.who{opacity:.8;margin-left:auto}
        header form{display:inline}main{max-width:72rem;margin:0 auto;padding:1rem}
        table{border-collapse:collapse;width:100%;margin:.5rem 0 1.25rem}th,td{border-bottom:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
        th{background:#f6f8fa}.pass{color:#116329;font-weight:600}.fail{color:#a40e26;font-weight:600}.insufficient_data{color:#7d4e00}
        .badge{display:inline-block;padding:.1rem .5rem;border-radius:1rem;background:#eaeef2}.ready{background:#dafbe1}.notready{background:#fff1e5}
        .flash{max-width:72rem;margin:.75rem auto 0;padding:.5rem 1rem;background:#ddf4ff;border-radius:.3rem}
        form.inline{display:inline-flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:.25rem .5rem .25rem 0}
        input,button{font:inherit;padding:.25rem .5rem}button{cursor:pointer}.danger{background:#a40e26;color:#fff;border:0;border-radius:.25rem}
        .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,24rem),1fr));gap:.75rem}.card{border:1px solid #d0d7de;border-radius:.4rem;padding:.6rem}
        .card h2{font-size:1rem;margin:.1rem 0 .4rem;overflow-wrap:anywhere}
        @media (max-width:640px){th,td{padding:.25rem}table{font-size:13px;display:block;overflow-x:auto}.who{margin-left:0}input{max-width:100%;min-width:0}h1,h2,h3,p,li{overflow-wrap:anywhere}}
        """

    /// Re-fetches the page every 2 s and replaces the content when it changed; pauses while a form has focus.
    static let liveScript = """
        setInterval(async()=>{const a=document.activeElement;if(a&&a.form)return;
        try{const r=await fetch(location.href,{credentials:'same-origin'});if(!r.ok)return;
        const d=new DOMParser().parseFromString(await r.text(),'text/html');const n=d.getElementById('live');const o=document.getElementById('live');
        if(n&&o&&n.innerHTML!==o.innerHTML)o.innerHTML=n.innerHTML;}catch(e){}},2000);
        """

    /// A POST form with the session's CSRF token.
    static func form(_ path: DashboardPath, session: DashboardSessions.Session, fields: HTML, button: String, danger: Bool = false) -> HTML {
        var content = HTML(raw: "<input type=\"hidden\" name=\"csrf\" value=\"\(ReportText.escape(session.csrf))\">")
        content.append(fields)
        content.append(.element("button", danger ? [("type", "submit"), ("class", "danger")] : [("type", "submit")], .text(button)))
        return .element("form", [("method", "post"), ("action", path.rawValue), ("class", "inline")], content)
    }

    static func input(_ name: String, label: String, type: String = "text", required: Bool = false, value: String? = nil) -> HTML {
        var attributes = [("type", type), ("name", name), ("aria-label", label)]
        if type == "text" { attributes.append(("placeholder", label)) }
        if let value { attributes.append(("value", value)) }
        var markup = HTML(raw: "<input")
        for (key, value) in attributes { markup.raw(" \(key)=\"\(ReportText.escape(value))\"") }
        if required { markup.raw(" required") }
        markup.raw(">")
        if type == "checkbox" {
            var labelled = HTML(raw: "<label>")
            labelled.append(markup)
            labelled.raw(" ")
            labelled.text(label)
            labelled.raw("</label>")
            return labelled
        }
        return markup
    }

    static func table(_ header: [String], _ rows: [[HTML]]) -> HTML {
        var markup = HTML(raw: "<table><thead><tr>")
        for title in header { markup.append(.element("th", [("scope", "col")], .text(title))) }
        markup.raw("</tr></thead><tbody>")
        for row in rows {
            markup.raw("<tr>")
            for cell in row { markup.append(.element("td", [], cell)) }
            markup.raw("</tr>")
        }
        if rows.isEmpty { markup.raw("<tr><td colspan=\"\(header.count)\">none</td></tr>") }
        markup.raw("</tbody></table>")
        return markup
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

    /// What `samplesNeeded` means for a person.
    static func samplesNeeded(_ result: CriterionResult) -> String {
        guard result.value != nil else { return "–" }
        guard let needed = result.samplesNeeded else { return "never at this value" }
        return needed == 0 ? "none" : "about \(needed)"
    }

    static func time(_ date: Date?) -> String { date.map { String(Timestamp.format($0).prefix(16)).replacingOccurrences(of: "T", with: " ") } ?? "–" }
}
