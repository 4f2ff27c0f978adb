import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffStore

/// The dashboard's pages: each is a model that reads and shapes what it shows (`OverviewPage`, `MetricsPage`,
/// `CostPage`, …) and draws itself; these wire them to the rollout, the store and the clock.
struct DashboardPages: Sendable {
    let store: any Store
    let state: RolloutState
    let controller: RolloutCoordinator
    let metrics: MetricsQuery
    let reports: IncidentReports
    let clock: any WallClock

    /// The metrics page (`MetricsPage`: the model, read and shaped; its `render()` draws it); an unknown range
    /// reads as the last 24 hours.
    func metricsPage(window text: String?) async throws -> HTML {
        let range = text.flatMap(MetricsPage.Range.init(rawValue:)) ?? .day
        return try await MetricsPage.read(range, snapshot: state.snapshot, store: store, metrics: metrics, now: clock.now()).render()
    }

    /// The cost page (`CostPage`: the model, read and shaped; its `render()` draws it).
    func costPage() async throws -> HTML {
        try await CostPage.read(metrics: metrics, store: store, pricePoint: state.snapshot.plan.pricePoint, now: clock.now()).render()
    }

    /// An incident's page, from its report (`IncidentReport.render(id:)`).
    func incidentPage(_ id: Int) async throws -> HTML {
        try await reports.report(id).render(id: id)
    }

    /// The overview (`OverviewPage`: the model, read and shaped; its `render(session:)` draws it).
    func overview(_ session: DashboardSessions.Session) async throws -> HTML {
        let snapshot = state.snapshot
        let gate = try await controller.gate(of: snapshot)
        return try await OverviewPage.read(snapshot: snapshot, gate: gate, store: store, metrics: metrics, now: clock.now()).render(session: session)
    }

    func audience(_ session: DashboardSessions.Session) -> HTML {
        AudiencePage(snapshot: state.snapshot).render(session: session)
    }

    func alerts(_ session: DashboardSessions.Session) async throws -> HTML {
        try await AlertsPage.read(plan: state.snapshot.plan, store: store, now: clock.now()).render(session: session)
    }

    func incidents() async throws -> HTML {
        try await IncidentsPage.read(store: store).render()
    }

    func feedback(query: String?) async throws -> HTML {
        try await FeedbackReviewPage.read(query: query, store: store, metrics: metrics, now: clock.now()).render()
    }

    func audit(before: Int?) async throws -> HTML {
        try await AuditTrailPage.read(before: before, store: store).render()
    }
}
