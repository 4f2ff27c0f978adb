import Foundation
import Yams

extension PlanReader {
    mutating func plan(_ root: Node) -> Plan? {
        let allowed = ["rollout", "config", "pricing", "pricePoint", "dimensions", "phases", "privacy"] + PlanDecoder.guardrailSections
        // Top-level `x-` keys are extensions, as in Compose files: somewhere for anchors to live.
        guard let members = mapping(root, "", allowed: allowed, extensions: true) else { return nil }
        let rollout = required(members, "rollout", root, "").flatMap { string($0, "rollout") }
        var config: [String: JSONValue] = [:]
        if let node = members["config"], case .object(let object)? = json(node, "config") {
            config = object
        } else if let node = members["config"] {
            report(node, "config", "expected a mapping")
        }
        let pricing = members["pricing"].map { self.pricing($0) } ?? PriceBook()
        var phases: [PhasePlan] = []
        if let node = required(members, "phases", root, ""), let list = sequence(node, "phases") {
            if list.isEmpty { report(node, "phases", "at least one phase is required") }
            var seen: [String: Int] = [:]
            for (index, phaseNode) in list.enumerated() {
                let path = "phases[\(index)]"
                guard let phase = phase(phaseNode, path) else { continue }
                if let first = seen[phase.name] {
                    report(phaseNode, "\(path).name", "duplicate phase '\(phase.name)' (also phases[\(first)])")
                    continue
                }
                seen[phase.name] = index
                phases.append(phase)
            }
        }
        let guardrails = self.guardrails(members)
        let privacy = members["privacy"].map { self.privacy($0) } ?? Privacy()
        let pricePoint = members["pricePoint"].flatMap { number($0, "pricePoint") }
        guard let rollout else { return nil }
        var plan = Plan(rollout: rollout, config: config, pricing: pricing, phases: phases, guardrails: guardrails, privacy: privacy)
        plan.pricePoint = pricePoint
        plan.dimensions = members["dimensions"].map { self.dimensions($0) } ?? [:]
        checkSegments(declared: plan.dimensions)
        return plan
    }

    /// The dimension a criterion or rule names (`feature: path_generation`): at most one, a non-empty value.
    mutating func segment(_ fields: [String: Node], _ node: Node, _ path: String, metric: Metric?) -> Segment? {
        let named = MetricDimension.allCases.filter { fields[$0.rawValue] != nil }
        guard let dimension = named.first else { return nil }
        if named.count > 1 {
            report(node, path, "names \(named.map(\.rawValue).joined(separator: " and ")); a criterion or rule watches one dimension value")
            return nil
        }
        let valueNode = fields[dimension.rawValue]!
        guard let value = string(valueNode, "\(path).\(dimension.rawValue)") else { return nil }
        guard !value.isEmpty else {
            report(valueNode, "\(path).\(dimension.rawValue)", "empty; name one value")
            return nil
        }
        segmentReferences.append((valueNode, "\(path).\(dimension.rawValue)", dimension, metric))
        return Segment(dimension, value)
    }

    /// A segment can only be judged on a declared dimension, and retention is not kept per segment.
    private mutating func checkSegments(declared: [MetricDimension: Int]) {
        for reference in segmentReferences {
            if declared[reference.dimension] == nil {
                report(reference.node, reference.path, "the plan does not declare the dimension \(reference.dimension.rawValue); add it under "
                    + "dimensions (e.g. dimensions: { \(reference.dimension.rawValue): { maxValues: 20 } })")
            } else if let metric = reference.metric, metric.retentionDays != nil {
                report(reference.node, reference.path, "\(metric.rawValue) is not kept per dimension value (retention is counted from "
                    + "users' active days for everyone)")
            }
        }
    }

    /// `dimensions: { feature: { maxValues: 12 }, region: {} }`: which breakdowns to keep, each capped.
    mutating func dimensions(_ node: Node) -> [MetricDimension: Int] {
        guard let entries = mapping(node, "dimensions", allowed: MetricDimension.allCases.map(\.rawValue)) else { return [:] }
        var dimensions: [MetricDimension: Int] = [:]
        for (name, entry) in entries {
            guard let dimension = MetricDimension(rawValue: name) else { continue }
            let path = "dimensions.\(name)"
            guard let fields = mapping(entry, path, allowed: ["maxValues"]) else { continue }
            let cap = fields["maxValues"].flatMap { integer($0, "\(path).maxValues", minimum: 1) } ?? Plan.defaultDimensionCap
            if cap > Plan.maxDimensionCap {
                report(fields["maxValues"], "\(path).maxValues", "\(cap) is above \(Plan.maxDimensionCap): every value is kept per minute, "
                    + "phase, variant and measure, so a dimension with that many values belongs in raw events, not breakdowns")
                continue
            }
            dimensions[dimension] = cap
        }
        return dimensions
    }

    mutating func privacy(_ node: Node) -> Privacy {
        var privacy = Privacy()
        guard let fields = mapping(node, "privacy", allowed: ["pseudonymizeUserIds", "retention"]) else { return privacy }
        if let flag = fields["pseudonymizeUserIds"] {
            if let value = flag.bool { privacy.pseudonymizeUserIds = value } else {
                report(flag, "privacy.pseudonymizeUserIds", "expected true or false, got \(describe(flag))")
            }
        }
        if let retentionNode = fields["retention"], let retention = mapping(retentionNode, "privacy.retention", allowed: ["events", "feedbackText"]) {
            for (key, path) in [("events", "privacy.retention.events"), ("feedbackText", "privacy.retention.feedbackText")] {
                guard let valueNode = retention[key], let seconds = duration(valueNode, path) else { continue }
                guard seconds >= 86_400 else {
                    report(valueNode, path, "must be at least 1d (retries are recognised for a day)")
                    continue
                }
                if key == "events" { privacy.eventRetention = seconds } else { privacy.feedbackTextRetention = seconds }
            }
        }
        return privacy
    }

    mutating func pricing(_ node: Node) -> PriceBook {
        guard let models = mapping(node, "pricing") else { return PriceBook() }
        var prices: [String: ModelPrice] = [:]
        for (model, priceNode) in models {
            let path = "pricing.\(model)"
            guard let fields = mapping(priceNode, path, allowed: ["input", "output", "cachedInput"]) else { continue }
            let input = required(fields, "input", priceNode, path).flatMap { number($0, "\(path).input") }
            let output = required(fields, "output", priceNode, path).flatMap { number($0, "\(path).output") }
            let cachedInput = fields["cachedInput"].flatMap { number($0, "\(path).cachedInput") }
            if let input, let output {
                if input < 0 || output < 0 || (cachedInput ?? 0) < 0 {
                    report(priceNode, path, "prices must not be negative")
                } else {
                    prices[model] = ModelPrice(input: input, output: output, cachedInput: cachedInput)
                }
            }
        }
        return PriceBook(prices)
    }

    mutating func phase(_ node: Node, _ path: String) -> PhasePlan? {
        guard let fields = mapping(node, path, allowed: ["name", "plannedDuration", "audience", "exit"]) else { return nil }
        let name = required(fields, "name", node, path).flatMap { string($0, "\(path).name") }
        let planned = fields["plannedDuration"].flatMap { duration($0, "\(path).plannedDuration") }
        let audience = required(fields, "audience", node, path).flatMap { self.audience($0, "\(path).audience") }
        var exit: ExitGate?
        if let exitNode = fields["exit"] {
            exit = gate(exitNode, "\(path).exit")
        }
        guard let name, let audience else { return nil }
        return PhasePlan(name: name, plannedDuration: planned, audience: audience, exit: exit)
    }

    mutating func audience(_ node: Node, _ path: String) -> Audience? {
        guard let fields = mapping(node, path, allowed: ["groups", "invite", "waitlist", "percentage"]) else { return nil }
        if fields.isEmpty { report(node, path, "name at least one of groups, invite, waitlist, percentage") }
        var audience = Audience()
        if let groupsNode = fields["groups"], let groups = mapping(groupsNode, "\(path).groups") {
            for (name, membersNode) in groups.sorted(by: { ($0.value.mark?.line ?? 0) < ($1.value.mark?.line ?? 0) }) {
                let groupPath = "\(path).groups.\(name)"
                guard let list = sequence(membersNode, groupPath) else { continue }
                let members = list.enumerated().compactMap { string($0.element, "\(groupPath)[\($0.offset)]") }
                audience.groups.append(Audience.Group(name: name, members: members))
            }
        }
        if let inviteNode = fields["invite"], let invite = mapping(inviteNode, "\(path).invite", allowed: ["min", "max"]) {
            let min = invite["min"].flatMap { integer($0, "\(path).invite.min") } ?? 0
            if let max = required(invite, "max", inviteNode, "\(path).invite").flatMap({ integer($0, "\(path).invite.max", minimum: 1) }) {
                if min > max { report(inviteNode, "\(path).invite", "min \(min) is above max \(max)") }
                audience.invite = Audience.Invite(min: min, max: max)
            }
        }
        if let waitlistNode = fields["waitlist"],
           let waitlist = mapping(waitlistNode, "\(path).waitlist", allowed: ["cap", "batch", "min"]) {
            let cap = required(waitlist, "cap", waitlistNode, "\(path).waitlist").flatMap { integer($0, "\(path).waitlist.cap", minimum: 1) }
            let batch = waitlist["batch"].flatMap { integer($0, "\(path).waitlist.batch", minimum: 1) }
            let min = waitlist["min"].flatMap { integer($0, "\(path).waitlist.min") } ?? 0
            if let cap {
                if min > cap { report(waitlistNode, "\(path).waitlist", "min \(min) is above cap \(cap)") }
                audience.waitlist = Audience.Waitlist(cap: cap, batch: batch ?? cap, min: min)
            }
        }
        if let percentageNode = fields["percentage"], let percentage = number(percentageNode, "\(path).percentage") {
            if (0...100).contains(percentage) {
                audience.percentage = percentage
            } else {
                report(percentageNode, "\(path).percentage", "must be between 0 and 100")
            }
        }
        return audience
    }

    mutating func gate(_ node: Node, _ path: String) -> ExitGate? {
        guard let fields = mapping(node, path, allowed: ["minDuration", "promotion", "criteria", "checklist"]) else { return nil }
        var gate = ExitGate()
        if let minNode = fields["minDuration"], let seconds = duration(minNode, "\(path).minDuration") { gate.minDuration = seconds }
        if let promotionNode = fields["promotion"], let text = string(promotionNode, "\(path).promotion") {
            if let promotion = ExitGate.Promotion(rawValue: text) {
                gate.promotion = promotion
            } else {
                report(promotionNode, "\(path).promotion", "'\(text)' is not one of manual, auto")
            }
        }
        if let criteriaNode = fields["criteria"], let list = sequence(criteriaNode, "\(path).criteria") {
            gate.criteria = list.enumerated().compactMap { criterion($0.element, "\(path).criteria[\($0.offset)]") }
        }
        if let checklistNode = fields["checklist"], let list = sequence(checklistNode, "\(path).checklist") {
            gate.checklist = list.enumerated().compactMap { string($0.element, "\(path).checklist[\($0.offset)]") }
            if Set(gate.checklist).count != gate.checklist.count {
                report(checklistNode, "\(path).checklist", "items must be unique")
            }
        }
        return gate
    }

    mutating func criterion(_ node: Node, _ path: String) -> Criterion? {
        let comparators = Criterion.Comparator.allCases.map(\.rawValue)
        guard let fields = mapping(node, path, allowed: ["metric", "window", "minSamples"] + comparators + MetricDimension.allCases.map(\.rawValue))
        else { return nil }
        var metric: Metric?
        if let metricNode = required(fields, "metric", node, path), let name = string(metricNode, "\(path).metric") {
            metric = Metric(rawValue: name)
            if metric == nil { report(metricNode, "\(path).metric", "unknown metric '\(name)'") }
        }
        let given = comparators.filter { fields[$0] != nil }
        guard given.count == 1, let comparator = Criterion.Comparator(rawValue: given[0]) else {
            report(node, path, given.isEmpty
                ? "needs one comparator: \(comparators.joined(separator: ", "))"
                : "has \(given.count) comparators (\(given.joined(separator: ", "))); give exactly one")
            return nil
        }
        let threshold = number(fields[given[0]]!, "\(path).\(given[0])")
        let window = fields["window"].flatMap { duration($0, "\(path).window") }
        let minSamples = fields["minSamples"].flatMap { integer($0, "\(path).minSamples") }
        let segment = segment(fields, node, path, metric: metric)
        guard let metric, let threshold else { return nil }
        return Criterion(metric: metric, comparator: comparator, threshold: threshold, window: window, minSamples: minSamples, segment: segment)
    }
}
