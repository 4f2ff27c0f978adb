import Foundation
import LiftoffCore

/// Liftoff's own numbers in Prometheus' format, for `/v1/metrics/prometheus`: every catalog metric of the
/// current phase, per variant, over each window the plan's guardrails read; the rollout's state; each
/// guardrail's state and last observation; each exit criterion's verdict. Gauges, computed at scrape time,
/// so Prometheus' own `[range]` functions are not needed to see what Liftoff sees.
///
/// Names follow Prometheus' conventions (https://prometheus.io/docs/practices/naming/): `liftoff_` prefix,
/// base units (milliseconds become seconds), the unit as suffix (`_seconds`, `_ratio`, `_usd`, `_tokens`).
struct CatalogExposition {
    let metrics: MetricsQuery
    let state: RolloutState
    let controller: RolloutCoordinator
    let evaluator: GuardrailEvaluator
    let clock: any WallClock

    /// The exposition name of a catalog metric and the factor from Liftoff's unit to it.
    static func name(of metric: Metric) -> (name: String, scale: Double) {
        let base = "liftoff_" + metric.rawValue.replacingOccurrences(of: ".", with: "_")
        switch metric.unit {
        case "ms": return (base + "_seconds", 0.001)
        case "s": return (base + "_seconds", 1)
        case "USD": return (base + "_usd", 1)
        case "tokens": return (metric == .tokenUsage ? base + "_tokens" : base, 1)
        case "ratio": return (base + "_ratio", 1)
        default: return (base, 1)
        }
    }

    func text() async throws -> String {
        let snapshot = state.snapshot
        let now = clock.now()
        var out = PrometheusText()
        let phase = snapshot.phase.name

        out.family("liftoff_rollout_info", .gauge, help: "The rollout, its current phase and live plan version (always 1).")
        out.sample("liftoff_rollout_info", ["rollout": snapshot.plan.rollout, "phase": phase,
                                            "plan_version": snapshot.planVersion.map(String.init) ?? ""], 1)
        out.family("liftoff_rollout_status", .gauge, help: "1 for the rollout's current status, 0 for the others.")
        for status in RolloutStatus.allCases {
            out.sample("liftoff_rollout_status", ["status": status.rawValue], status == snapshot.record.status ? 1 : 0)
        }
        out.family("liftoff_rollout_phase_index", .gauge, help: "Position of the current phase in the plan, from 0.")
        out.sample("liftoff_rollout_phase_index", [:], Double(snapshot.phaseIndex))
        out.family("liftoff_rollout_epoch", .gauge, help: "Resumes after a rollback so far: guardrails read only data of the current epoch.")
        out.sample("liftoff_rollout_epoch", [:], Double(snapshot.epoch))

        // Every catalog metric over each guardrail window, for both variants of the current phase.
        let rules = snapshot.plan.guardrails.rules
        let windows = Set(rules.map(\.window) + rules.compactMap { $0.versusControl?.window }).sorted()
        var rows: [(metric: Metric, window: String, variant: Variant, value: MetricValue)] = []
        for window in windows {
            let interval = MetricsQuery.Interval(start: min(max(now.addingTimeInterval(-window), snapshot.phaseStartedAt), now), end: now)
            for variant in [Variant.treatment, .control] {
                let values = try await metrics.values(Metric.allCases, over: interval, phase: phase, variant: variant)
                for metric in Metric.allCases { rows.append((metric, DurationText.format(window), variant, values[metric] ?? MetricValue(value: nil, samples: 0))) }
            }
        }
        for metric in Metric.allCases {
            let (name, scale) = Self.name(of: metric)
            out.family(name, .gauge, help: "Catalog metric \(metric.rawValue) (\(metric.unit == "ms" ? "seconds" : metric.unit)) over the window, current phase; absent while there is no value.")
            for row in rows where row.metric == metric {
                guard let value = row.value.value else { continue }
                out.sample(name, ["phase": phase, "variant": row.variant.rawValue, "window": row.window], value * scale)
            }
        }
        out.family("liftoff_metric_samples", .gauge, help: "Samples behind each catalog metric's value over the window, current phase.")
        for row in rows {
            out.sample("liftoff_metric_samples", ["metric": row.metric.rawValue, "phase": phase, "variant": row.variant.rawValue, "window": row.window],
                       Double(row.value.samples))
        }

        // Guardrails: state, firings, and what the last tick saw (only on the node that evaluates).
        let states = try await evaluator.ruleStates()
        let observations = await evaluator.observations
        out.family("liftoff_guardrail_state", .gauge, help: "1 for each guardrail's current state (inactive, pending, firing), 0 for the others.")
        for rule in rules {
            let current = (states[rule.id] ?? RuleState()).phase
            for candidate in [RuleState.Phase.inactive, .pending, .firing] {
                out.sample("liftoff_guardrail_state", ["rule": rule.id, "metric": rule.metric.rawValue, "kind": rule.kind.rawValue,
                                                       "state": candidate.rawValue], candidate == current ? 1 : 0)
            }
        }
        out.family("liftoff_guardrail_firings_total", .counter, help: "Times each guardrail has fired.")
        for rule in rules {
            out.sample("liftoff_guardrail_firings_total", ["rule": rule.id], Double(states[rule.id]?.firings ?? 0))
        }
        out.family("liftoff_guardrail_threshold", .gauge, help: "Each guardrail's threshold, in its metric's own unit (as in the plan).")
        for rule in rules { out.sample("liftoff_guardrail_threshold", ["rule": rule.id], rule.threshold) }
        out.family("liftoff_guardrail_observed", .gauge, help: "The value each guardrail saw at its last evaluation, in its metric's own unit; absent before one.")
        for rule in rules {
            if let value = observations[rule.id]?.value.value { out.sample("liftoff_guardrail_observed", ["rule": rule.id], value) }
        }

        // The current phase's exit gate.
        let gate = try await controller.gate(of: snapshot)
        out.family("liftoff_gate_criterion_verdict", .gauge,
                   help: "1 for each exit criterion's verdict (pass, fail, inconclusive, insufficient_data), 0 for the others.")
        for result in gate.criteria {
            let criterion = result.criterion
            let label = "\(criterion.subject) \(criterion.comparator.rawValue) \(PrometheusText.format(criterion.threshold))"
                + (criterion.window.map { " over \(DurationText.format($0))" } ?? "")
            for verdict in [Verdict.pass, .fail, .inconclusive, .insufficientData] {
                out.sample("liftoff_gate_criterion_verdict", ["phase": phase, "criterion": label, "verdict": verdict.rawValue],
                           verdict == result.verdict ? 1 : 0)
            }
        }
        out.family("liftoff_gate_ready", .gauge, help: "1 when the current phase's gate is met (criteria, checklist, minimum duration).")
        out.sample("liftoff_gate_ready", ["phase": phase], gate.ready ? 1 : 0)
        return out.text
    }
}
