import Foundation
import LiftoffCore
import LiftoffStore

/// The rollout as it happened, for the overview: each phase as a band from its start to its end, and a marker
/// for every decision (promotions with who and why, rollbacks with their rule, pauses, resumes, adjustments
/// and their `set`, scaling, alerts, plan changes), each linking to its incident or audit entry. The model of
/// the overview's timeline; `TimelineChart` draws it.
struct RolloutStory: Sendable, Equatable {
    struct Band: Sendable, Equatable {
        var phase: String
        var start: Date
        /// Nil while the phase is current.
        var end: Date?
    }

    struct Marker: Sendable, Equatable {
        enum Kind: String, Sendable, CaseIterable {
            case promotion, rollback, pause, resume, adjustment, scaling, alert, plan

            /// The colour of its marker and legend entry (contrast ≥ 3:1 on white).
            var color: String {
                switch self {
                case .promotion: "#1a7f37"
                case .rollback: "#cf222e"
                case .pause: "#9a6700"
                case .resume: "#0969da"
                case .adjustment, .scaling: "#8250df"
                case .alert: "#bc4c00"
                case .plan: "#57606a"
                }
            }
        }

        var at: Date
        var kind: Kind
        /// Who and why, as a person would say it: "promoted to beta by ops: gate met".
        var title: String
        /// The incident report of a rollback that opened one; else nil (the audit entry tells it).
        var incident: Int?
        /// The audit entry's sequence number.
        var audit: Int
    }

    /// The audit actions the story is told from.
    static let actions = ["rollout.promote", "rollout.promote.forced", "rollout.rollback", "rollout.pause", "rollout.resume",
                          "guardrail.fired", "plan.apply"]

    var start: Date
    var end: Date
    var bands: [Band]
    /// Oldest first.
    var markers: [Marker]

    /// The story of `history` (phases oldest first) and `audit` (the entries of `actions`, any order), with
    /// rollbacks linked to the incident opened for them (same time, within a minute), up to `now`.
    init(history: [PhaseRecord], audit: [AuditEntry], incidents: [IncidentRecord], now: Date) {
        bands = history.map { Band(phase: $0.phase, start: $0.startedAt, end: $0.endedAt) }
        start = history.first?.startedAt ?? now
        end = max(now, start.addingTimeInterval(60))
        markers = audit.compactMap { entry in Self.marker(entry, incidents: incidents) }
            .sorted { ($0.at, $0.kind.rawValue) < ($1.at, $1.kind.rawValue) }
    }

    private static func marker(_ entry: AuditEntry, incidents: [IncidentRecord]) -> Marker? {
        let why = entry.reason.map { $0.isEmpty ? "" : ": \($0)" } ?? ""
        let audit = entry.sequence ?? 0
        switch entry.action {
        case "rollout.promote", "rollout.promote.forced":
            let forced = entry.action.hasSuffix("forced") ? " (forced past the gate)" : ""
            return Marker(at: entry.at, kind: .promotion, title: "promoted\(Self.destination(entry.after)) by \(entry.actor)\(forced)\(why)", incident: nil, audit: audit)
        case "rollout.rollback":
            // The incident of the rule the rollback names, opened with it; else the nearest opened within a minute.
            let rule = ruleId(of: entry)
            let near = incidents.filter { abs($0.openedAt.timeIntervalSince(entry.at)) < 60 }
            let incident = near.first { $0.ruleId == rule }
                ?? near.min { abs($0.openedAt.timeIntervalSince(entry.at)) < abs($1.openedAt.timeIntervalSince(entry.at)) }
            return Marker(at: entry.at, kind: .rollback, title: "rolled back by \(entry.actor)\(why)", incident: incident?.id, audit: audit)
        case "rollout.pause":
            return Marker(at: entry.at, kind: .pause, title: "paused by \(entry.actor)\(why)", incident: nil, audit: audit)
        case "rollout.resume":
            return Marker(at: entry.at, kind: .resume, title: "resumed by \(entry.actor)\(why)", incident: nil, audit: audit)
        case "plan.apply":
            return Marker(at: entry.at, kind: .plan, title: "plan changed by \(entry.actor)\(why)", incident: nil, audit: audit)
        case "guardrail.fired":
            // A rollback rule's firing is told by the rollback it caused; the others by their rule's kind.
            let rule = ruleId(of: entry) ?? ""
            let kind: Marker.Kind
            if rule.hasPrefix("adjustments[") { kind = .adjustment }
            else if rule.hasPrefix("scaling.") { kind = .scaling }
            else if rule.hasPrefix("rollback[") { return nil }
            else { kind = .alert }
            let acted = entry.after.map { $0 == "actions: " ? "" : "; \($0)" } ?? ""
            return Marker(at: entry.at, kind: kind, title: "\(kind.rawValue): \(entry.reason ?? rule)\(acted)", incident: nil, audit: audit)
        default:
            return nil
        }
    }

    /// The rule a guardrail's audit entry names first in its reason (`rollback[0]: error_rate above …`).
    private static func ruleId(of entry: AuditEntry) -> String? {
        entry.reason?.split(separator: ":", maxSplits: 1).first.map(String.init)
    }

    /// " to beta" from the rollout as the audit entry describes it after the change (`{"phase":"beta",…}`), else "".
    private static func destination(_ description: String?) -> String {
        guard let description, case .object(let record)? = try? JSONParser.parse(description),
              case .string(let phase)? = record["phase"] else { return "" }
        return " to \(phase)"
    }
}
