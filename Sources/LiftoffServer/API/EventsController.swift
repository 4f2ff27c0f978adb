import CompressNIO
import Foundation
import LiftoffAPI
import NIOCore
import Hummingbird
import LiftoffCore
import LiftoffStore

/// `POST /v1/events`: validates each event on its own, records the valid ones through the ingest pipeline,
/// and reports every rejected one by its index with the field at fault.
struct EventsController {
    let pipeline: IngestPipeline
    let rollout: RolloutState
    let prices: @Sendable () -> PriceBook
    let clock: any WallClock
    let validator: EventValidator
    let limits: IngestLimits
    /// When the plan asks for it, user ids are stored as pseudonyms; the audience is decided on the real id.
    let pseudonymizer: Pseudonymizer?

    struct Batch {
        var events: [JSONValue]
    }

    /// Parses `{"events":[…]}`, saying where the body broke or which member is wrong.
    static func parse(_ body: Data) throws -> Batch {
        if body.isEmpty { throw APIError.badRequest("the body is empty; send {\"events\":[…]}", code: "invalid_json") }
        let document: JSONValue
        do {
            document = try JSONParser.parse(body)
        } catch {
            throw APIError.badRequest("the body is not valid JSON: \(error)", code: "invalid_json")
        }
        guard case .object(let object) = document else {
            throw APIError.badRequest("body: expected an object with an 'events' array", code: "invalid_json")
        }
        guard let events = object["events"] else {
            throw APIError.badRequest("events: required", code: "invalid_json")
        }
        guard case .array(let list) = events else {
            throw APIError.badRequest("events: expected an array", code: "invalid_json")
        }
        return Batch(events: list)
    }

    func addRoutes(to routes: inout ScopedRoutes) {
        routes.add(.post, "/v1/events", scope: .ingest) { request, _, _ in
            try await ingest(request)
        }
    }

    func ingest(_ request: Request) async throws -> Response {
        let body = try await RequestBody.read(request, limit: limits.maxBodyBytes)
        let batch = try Self.parse(body)
        guard batch.events.count <= limits.maxEventsPerRequest else {
            throw APIError(.contentTooLarge, code: "too_many_events",
                           "events: \(batch.events.count) events in one request, the limit is \(limits.maxEventsPerRequest)")
        }
        let report = try await record(batch.events)
        let rejected = report.rejected
        let valid = report.accepted + report.duplicates
        if valid == 0 && !rejected.isEmpty {
            let first = rejected[0]
            var error = APIError.badRequest(
                "no event in the batch is valid; event \(first.index): \(first.error)", code: "invalid_events")
            error.extra = ["accepted": .value(0), "duplicates": .value(0), "rejected": .value(rejected)]
            throw error
        }
        return try report.response()
    }
}

extension EventsController {
    /// Validates each event on its own and records the valid ones; a rejected event is reported by its index
    /// and the field at fault, and never holds the others back. Also what OTLP's traces go through.
    func record(_ events: [JSONValue]) async throws -> IngestReport {
        let (valid, rejected) = prepare(events)
        let statuses = try await pipeline.submit(valid)
        return IngestReport(statuses, rejected: rejected)
    }

    /// Each event validated on its own and made ready to record (attributed, pseudonymised, priced), and the
    /// rejected ones by index with the field at fault.
    func prepare(_ events: [JSONValue]) -> (valid: [RecordedEvent], rejected: [IngestRejection]) {
        let now = clock.now()
        let priceBook = prices()
        let dimensions = rollout.snapshot.plan.dimensions
        var valid: [RecordedEvent] = []
        valid.reserveCapacity(events.count)
        var rejected: [IngestRejection] = []
        for (index, value) in events.enumerated() {
            do {
                let event = try validator.validate(value, now: now)
                var recorded = RecordedEvent(event: event, attribution: rollout.attribution(for: event.userId), dimensions: dimensions)
                if let pseudonymizer, let user = event.userId { recorded.event.userId = pseudonymizer.pseudonym(user) }
                if case .aiInteraction(let interaction) = event.payload { recorded.costUsd = priceBook.cost(of: interaction) }
                valid.append(recorded)
            } catch {
                rejected.append(IngestRejection(index: index, error: error.description))
            }
        }
        return (valid, rejected)
    }
}

extension IngestReport {
    /// The report of a commit: `statuses` in the order the valid events were submitted.
    init(_ statuses: [AppendStatus], rejected: [IngestRejection]) {
        var accepted = 0
        var duplicates = 0
        for status in statuses {
            switch status {
            case .accepted: accepted += 1
            case .duplicate: duplicates += 1
            }
        }
        self.init(accepted: accepted, duplicates: duplicates, rejected: rejected)
    }

    /// The common answer (nothing rejected) is written directly: it is on the path of every ingest call.
    func response() throws -> Response {
        guard let text = acceptedText else { return try JSONBody.response(self) }
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The JSON of a report that rejected nothing, as `JSONBody` would encode it; nil when something was rejected.
    var acceptedText: String? {
        guard rejected.isEmpty else { return nil }
        return #"{"accepted":\#(accepted),"duplicates":\#(duplicates),"rejected":[]}"#
    }
}
