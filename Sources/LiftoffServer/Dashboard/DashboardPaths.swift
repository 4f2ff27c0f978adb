/// The one source of the dashboard's paths: routes are registered from it and every link and form action is
/// built from it, so a page never points somewhere the router does not know.
enum DashboardPath: String, CaseIterable, Sendable {
    case overview = "/"
    case metrics = "/metrics"
    case cost = "/cost"
    case audience = "/audience"
    case alerts = "/alerts"
    case incidents = "/incidents"
    case incident = "/incidents/{id}"
    case feedback = "/feedback"
    case audit = "/audit"
    case login = "/login"
    case logout = "/logout"
    case promote = "/rollout/promote"
    case pause = "/rollout/pause"
    case resume = "/rollout/resume"
    case rollback = "/rollout/rollback"
    case checklist = "/rollout/checklist"
    case admit = "/waitlist/admit"
    case silences = "/silences"

    /// The link to one incident's report page.
    static func incident(_ id: Int) -> String { "/incidents/\(id)" }

    /// The pages in the navigation bar, with their titles.
    static let pages: [(DashboardPath, String)] = [
        (.overview, "Overview"), (.metrics, "Metrics"), (.cost, "Cost"), (.audience, "Audience"), (.alerts, "Alerts"), (.incidents, "Incidents"),
        (.feedback, "Feedback"), (.audit, "Audit"),
    ]
}
