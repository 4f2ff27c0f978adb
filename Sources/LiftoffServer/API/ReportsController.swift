import Foundation
import Hummingbird
import LiftoffAPI
import LiftoffCore

/// `GET /v1/reports/{phase}?format=json|md|html`.
struct ReportsController {
    let reports: PhaseReports

    func addRoutes(to routes: inout ScopedRoutes) {
        let reports = self.reports
        routes.add(.get, "/v1/reports/{phase}", scope: .read, query: ["format"]) { request, context, _ in
            guard let phase = context.parameters.get("phase") else { throw APIError.notFound("no phase given") }
            let format = request.uri.queryParameters.get("format") ?? "json"
            guard ["json", "md", "html"].contains(format) else { throw APIError.badRequest("format: '\(format)' is not one of json, md, html") }
            let report = try await reports.report(phase: phase)
            let (type, text): (String, String) = switch format {
            case "md": ("text/markdown; charset=utf-8", report.markdown)
            case "html": ("text/html; charset=utf-8", report.html)
            default: ("application/json; charset=utf-8", try APICoding.text(report))
            }
            return Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
