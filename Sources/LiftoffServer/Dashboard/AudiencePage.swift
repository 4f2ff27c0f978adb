import Foundation
import LiftoffAPI
import LiftoffCore
import LiftoffStore

/// The audience page's model: the groups let in so far, the invitations and the waitlist, from the rollout's
/// snapshot (no store read).
struct AudiencePage {
    struct GroupRow: Equatable {
        var group: String
        var phase: String
        var members: Int
    }

    var groups: [GroupRow]
    var invitations: [Invitation]
    var waitlist: [WaitlistEntry]
    /// The current phase's batch size when it admits from the waitlist.
    var batch: Int?

    init(snapshot: RolloutState.Snapshot) {
        groups = snapshot.plan.phases.prefix(snapshot.phaseIndex + 1).flatMap { phase in
            phase.audience.groups.map { GroupRow(group: $0.name, phase: phase.name, members: $0.members.count) }
        }
        invitations = snapshot.invitations
        waitlist = snapshot.waitlist
        batch = snapshot.phase.audience.waitlist?.batch
    }

    var waiting: Int { waitlist.filter { $0.admittedAt == nil }.count }

    func render(session: DashboardSessions.Session) -> HTML {
        var html = HTML.element("h1", [:], .text("Audience"))
        html.append(.element("h2", [:], .text("Groups")))
        html.append(DashboardLayout.table(["group (role)", "phase", "members"], groups.map { [.text($0.group), .text($0.phase), .text(String($0.members))] }))
        html.append(.element("h2", [:], .text("Invited (\(invitations.count))")))
        html.append(DashboardLayout.table(["user", "phase", "invited"], invitations.map {
            [.text($0.userId), .text($0.phase), .text(DashboardLayout.time($0.at))]
        }))
        html.append(.element("h2", [:], .text("Waitlist (\(waiting) waiting)")))
        if session.key.scope.covers(.operate), let batch {
            html.append(DashboardLayout.form(.admit, session: session, fields: DashboardLayout.input("count", label: "how many", type: "number", value: String(batch)),
                                             button: "Admit next batch"))
        }
        html.append(DashboardLayout.table(["position", "user", "status", "signed up"], waitlist.map {
            [.text(String($0.position)), .text($0.userId), .text($0.admittedAt == nil ? "waiting" : "admitted into \($0.admittedPhase ?? "")"),
             .text(DashboardLayout.time($0.signedUpAt))]
        }))
        return html
    }
}
