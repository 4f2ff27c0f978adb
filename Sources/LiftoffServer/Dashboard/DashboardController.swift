import Foundation
import LiftoffAPI
import Hummingbird
import LiftoffCore
import LiftoffStore

/// The web dashboard: server-rendered pages behind a login with a read, operate or admin key, and the
/// rollout's controls as forms that need the operate scope and the session's CSRF token.
struct DashboardController {
    let pages: DashboardPages
    let sessions: DashboardSessions
    let keys: KeyRing
    let controller: RolloutCoordinator
    let store: any Store
    let clock: any WallClock
    let secureCookies: Bool
    /// Failed logins per peer address: 5 at once, then one every 12 s, against guessing keys.
    let failedLogins = RateLimiter()

    func addRoutes(to routes: inout ScopedRoutes) {
        routes.addPage(.get, DashboardPath.login.rawValue, query: ["message"]) { request, _ in self.loginPage(message: request.uri.queryParameters.get("message")) }
        routes.addPage(.post, DashboardPath.login.rawValue) { request, context in try await self.login(request, from: context.remoteAddress) }
        routes.addPage(.post, DashboardPath.logout.rawValue) { request, _ in
            if let token = Self.cookie(request), let session = sessions.session(token, now: clock.now()) {
                let form = try await Self.form(request)
                guard APIKeySecret.constantTimeEquals(Array((form["csrf"] ?? "").utf8), Array(session.csrf.utf8)) else {
                    throw APIError.forbidden("the form's CSRF token is missing or wrong; reload the page")
                }
            }
            sessions.end(Self.cookie(request))
            return Self.redirect(DashboardPath.login.rawValue, cookie: "\(DashboardSessions.cookie)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict")
        }
        let pageList: [(DashboardPath, String, @Sendable (Request, DashboardSessions.Session) async throws -> HTML)] = [
            (.overview, "Overview", { _, session in try await pages.overview(session) }),
            (.metrics, "Metrics", { request, _ in try await pages.metricsPage(window: request.uri.queryParameters.get("window")) }),
            (.cost, "Cost", { _, _ in try await pages.costPage() }),
            (.incident, "Incident", { request, _ in
                guard let id = request.uri.path.split(separator: "/").last.flatMap({ Int($0) }) else { throw APIError.notFound("no such incident") }
                return try await pages.incidentPage(id)
            }),
            (.audience, "Audience", { _, session in pages.audience(session) }),
            (.alerts, "Alerts", { _, session in try await pages.alerts(session) }),
            (.incidents, "Incidents", { _, _ in try await pages.incidents() }),
            (.feedback, "Feedback", { request, _ in try await pages.feedback(query: request.uri.queryParameters.get("q")) }),
            (.audit, "Audit", { request, _ in
                let before = request.uri.queryParameters.get("before")
                guard before == nil || Int(before!) != nil else { throw APIError.badRequest("before must be an audit sequence number") }
                return try await pages.audit(before: before.flatMap { Int($0) })
            }),
        ]
        for (path, title, content) in pageList {
            let query = ["message"] + (path == .metrics ? ["window"] : path == .feedback ? ["q"] : path == .audit ? ["before"] : [])
            routes.addPage(.get, path.rawValue, scope: path == .audit ? .admin : .read, query: query) { request, _ in
                guard let session = self.session(request) else { return Self.redirect(DashboardPath.login.rawValue) }
                guard session.key.scope.covers(path == .audit ? .admin : .read) else {
                    throw APIError.forbidden("key '\(session.key.name)' cannot see this page")
                }
                let html = DashboardLayout.page(title: title, current: path, session: session,
                                                message: request.uri.queryParameters.get("message"), content: try await content(request, session))
                return Self.html(html)
            }
        }
        addAction(.promote, &routes) { form, key in
            let force = form["force"] == "on"
            if force {
                guard key.scope == .admin else { throw APIError.forbidden("a forced promotion needs an admin key") }
                guard form["confirmForced"] == "on" else { throw APIError.badRequest("confirmForced: tick the confirmation to force a promotion") }
            }
            let reason = try RequestJSON.text(form["reason"], field: "reason", required: force)
            let snapshot = try await controller.promote(actor: key.name, reason: reason, force: force)
            return "Promoted: now in phase \(snapshot.phase.name) (\(snapshot.record.status.rawValue))."
        }
        addAction(.pause, &routes) { form, key in
            _ = try await controller.pause(actor: key.name, reason: try RequestJSON.text(form["reason"], field: "reason"))
            return "Paused."
        }
        addAction(.resume, &routes) { form, key in
            _ = try await controller.resume(actor: key.name, reason: try RequestJSON.text(form["reason"], field: "reason"))
            return "Resumed."
        }
        addAction(.rollback, &routes) { form, key in
            guard form["confirm"] == "on" else { throw APIError.badRequest("confirm: tick the confirmation to roll back") }
            let reason = try RequestJSON.text(form["reason"], field: "reason", required: true)!
            _ = try await controller.rollback(actor: key.name, reason: reason)
            return "Rolled back: everyone gets the old experience."
        }
        addAction(.checklist, &routes) { form, key in
            let item = try RequestJSON.text(form["item"], field: "item", required: true)!
            _ = try await controller.sign(item: item, note: try RequestJSON.text(form["note"], field: "note"), actor: key.name)
            return "Signed: \(item)."
        }
        addAction(.admit, &routes, back: .audience) { form, key in
            let count = form["count"].flatMap { Int($0) }
            let result = try await controller.admit(count: count, actor: key.name)
            return "Admitted \(result.admitted.count) from the waitlist."
        }
        addAction(.silences, &routes, back: .alerts) { form, key in
            let rule = try RequestJSON.text(form["rule"], field: "rule", required: true)!
            let comment = try RequestJSON.text(form["comment"], field: "comment", required: true)!
            let hours = Double(form["hours"] ?? "4") ?? 4
            guard hours > 0 && hours <= 24 * 30 else { throw APIError.badRequest("hours: must be between 0 and 720") }
            let now = clock.now()
            let silence = SilenceRecord(id: APIKeySecret.identifier(), matchers: ["rule": rule], startsAt: now,
                                        endsAt: now.addingTimeInterval(hours * 3600), createdBy: key.name, comment: comment, createdAt: now)
            try await store.addSilence(silence, audit: AuditEntry(at: now, actor: key.name, action: "silence.create", reason: comment,
                                                                  after: #"{"rule":\#(RolloutCoordinator.quote(rule))}"#))
            return "Silenced \(rule) for \(DashboardLayout.number(hours)) h."
        }
    }

    /// A control: operate scope and the CSRF token required; on success back to the page with a message, on
    /// refusal back with the reason (the 409's unmet conditions included).
    private func addAction(_ path: DashboardPath, _ routes: inout ScopedRoutes, back: DashboardPath = .overview,
                           _ act: @escaping @Sendable ([String: String], AuthenticatedKey) async throws -> String) {
        routes.addPage(.post, path.rawValue, scope: .operate) { request, _ in
            guard let session = self.session(request) else { throw APIError.forbidden("log in first") }
            let form = try await Self.form(request)
            guard APIKeySecret.constantTimeEquals(Array((form["csrf"] ?? "").utf8), Array(session.csrf.utf8)) else {
                throw APIError.forbidden("the form's CSRF token is missing or wrong; reload the page")
            }
            guard session.key.scope.covers(.operate) else {
                throw APIError.forbidden("key '\(session.key.name)' has scope '\(session.key.scope.rawValue)'; controls need 'operate'")
            }
            let message: String
            do {
                message = try await act(form, session.key)
            } catch let refusal as DomainError where refusal.kind != .unavailable {
                // A refusal (a gate that does not hold, a full cohort) is shown on the page; a forbidden action or
                // a failure goes through the one error mapping.
                message = "Refused: \(refusal.message)"
            } catch let error as APIError where error.status.code < 500 && error.status != .forbidden {
                message = "Refused: \(error.message)"
            }
            return Self.redirect(back.rawValue + "?message=" + (message.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
        }
    }

    private func session(_ request: Request) -> DashboardSessions.Session? {
        guard let session = sessions.session(Self.cookie(request), now: clock.now()), keys.isActive(session.key.id) else { return nil }
        return session
    }

    private func loginPage(message: String?) -> Response {
        let form = HTML.element("form", ["method": "post", "action": DashboardPath.login.rawValue, "class": "inline"],
                                DashboardLayout.input("key", label: "API key (read, operate or admin)", type: "password", required: true)
                                    + .element("button", ["type": "submit"], .text("Log in")))
        var content = HTML()
        content.append(.element("h1", [:], .text("Log in")))
        content.append(form)
        return Self.html(DashboardLayout.page(title: "Log in", current: .login, session: nil, message: message, content: content))
    }

    private func login(_ request: Request, from address: String) async throws -> Response {
        let form = try await Self.form(request)
        let now = clock.now()
        guard let key = keys.authenticate(secret: form["key"] ?? ""), key.scope != .ingest else {
            if let wait = failedLogins.wait(key: address, rate: 1.0 / 12, burst: 5) {
                var error = APIError(.tooManyRequests, code: "rate_limited", "too many failed logins; retry after \(Int(wait.rounded(.up))) s")
                error.headers[.retryAfter] = String(Int(wait.rounded(.up)))
                throw error
            }
            return Self.redirect(DashboardPath.login.rawValue + "?message=" + ("That key cannot log in (wrong, revoked, expired, or an ingest key)."
                .addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
        }
        try await store.appendAudit(AuditEntry(at: now, actor: key.name, action: "login", reason: nil, after: #"{"scope":"\#(key.scope.rawValue)"}"#))
        let token = sessions.create(for: key, now: now)
        // Secure when Liftoff serves TLS itself or a reverse proxy says the browser used HTTPS.
        let behindTLS = secureCookies || request.headers[.init("X-Forwarded-Proto")!]?.lowercased() == "https"
        let cookie = "\(DashboardSessions.cookie)=\(token); Path=/; Max-Age=\(Int(sessions.lifetime)); HttpOnly; SameSite=Strict"
            + (behindTLS ? "; Secure" : "")
        return Self.redirect(DashboardPath.overview.rawValue, cookie: cookie)
    }

    static func cookie(_ request: Request) -> String? {
        guard let header = request.headers[.cookie] else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == DashboardSessions.cookie { return String(pair[1]) }
        }
        return nil
    }

    /// `application/x-www-form-urlencoded` fields.
    static func form(_ request: Request) async throws -> [String: String] {
        let body = try await RequestBody.read(request, limit: 64 << 10)
        var fields: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ") }
            guard let name = parts.first?.removingPercentEncoding else { continue }
            fields[name] = parts.count > 1 ? parts[1].removingPercentEncoding ?? "" : ""
        }
        return fields
    }

    static func redirect(_ location: String, cookie: String? = nil) -> Response {
        var headers: HTTPFields = [.location: location]
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }

    static func html(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                                        .init("Content-Security-Policy")!: "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; frame-ancestors 'none'",
                                        .init("X-Content-Type-Options")!: "nosniff"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
