import Foundation
import LiftoffCore
import NIOCore
import NIOHTTP1

/// Liftoff's HTTP API as the app, an operator and the simulator call it: typed requests and answers (the
/// same types the server encodes), every refusal a `Failure` carrying the server's own message.
public struct LiftoffClient: Sendable {
    public let key: String
    /// How requests reach the server.
    public let transport: any LiftoffTransport

    /// Where requests go: the server's base URL over HTTP.
    public var baseURL: String { transport.endpoint }

    /// A refusal (`status` the HTTP status, `message` the server's own words, `unmet` a refused
    /// promotion's conditions) or, with `status` nil, a server that could not be reached.
    public struct Failure: Error, CustomStringConvertible {
        public var status: Int?
        public var message: String
        public var unmet: [String]

        public init(status: Int?, message: String, unmet: [String] = []) {
            self.status = status
            self.message = message
            self.unmet = unmet
        }

        public var description: String {
            guard let status else { return message }
            // A refused promotion lists every unmet condition: one per line reads better than one long sentence.
            let text = unmet.isEmpty ? message : "refused; unmet:\n" + unmet.map { "  - \($0)" }.joined(separator: "\n")
            return "\(status) \(HTTPResponseStatus(statusCode: status).reasonPhrase): \(text)"
        }
    }

    /// Over HTTP to `baseURL`; `timeout` bounds one request, connection included.
    public init(baseURL: String, key: String, timeout: TimeAmount = .seconds(60)) {
        self.init(transport: HTTPTransport(baseURL: baseURL, timeout: timeout), key: key)
    }

    public init(transport: any LiftoffTransport, key: String) {
        self.transport = transport
        self.key = key
    }

    // MARK: - Rollout

    public func rollout() async throws -> RolloutView { try await get("/v1/rollout") }

    /// `action`: promote, pause, resume or rollback. Answers the rollout after the change.
    public func change(_ action: String, _ request: RolloutChangeRequest) async throws -> RolloutView {
        try await post("/v1/rollout/\(action)", request)
    }

    public func signOff(_ request: SignOffRequest) async throws -> RolloutView { try await post("/v1/rollout/checklist", request) }

    public func invite(_ userIds: [String]) async throws -> InviteAnswer {
        try await post("/v1/audience/invite", InviteRequest(userIds: userIds))
    }

    public func joinWaitlist(_ userId: String) async throws -> JoinAnswer { try await post("/v1/waitlist", JoinRequest(userId: userId)) }

    public func admit(count: Int? = nil) async throws -> AdmitAnswer { try await post("/v1/waitlist/admit", AdmitRequest(count: count)) }

    // MARK: - The app's calls

    public func evaluate(_ userId: String) async throws -> EvaluateAnswer {
        let body = Data(JSONValue.object(["userId": .string(userId)]).compactUTF8)
        return try parse(EvaluateAnswer.self, from: try await send(.POST, "/v1/evaluate", body: body), path: "/v1/evaluate")
    }

    public func ingest(_ events: [JSONValue]) async throws -> IngestReport {
        // Written by JSONValue's own writer: the same JSON as EventBatch's, at a fraction of JSONEncoder's cost
        // on the simulator's hottest call.
        let body = Data(JSONValue.object(["events": .array(events)]).compactUTF8)
        return try parse(IngestReport.self, from: try await send(.POST, "/v1/events", body: body), path: "/v1/events")
    }

    // MARK: - Reading

    public func guardrails() async throws -> GuardrailsView { try await get("/v1/guardrails") }

    public func alerts() async throws -> [AlertView] { try await get("/v1/alerts", as: AlertList.self).alerts }

    public func incidents() async throws -> [IncidentReport] { try await get("/v1/incidents", as: IncidentList.self).incidents }

    public func incident(_ id: Int) async throws -> IncidentReport { try await get("/v1/incidents/\(id)") }

    /// `query` as `/v1/metrics` takes it, e.g. `window=15m&variant=treatment&names=error_rate`.
    public func metrics(_ query: String) async throws -> MetricValues { try await get("/v1/metrics?\(query)") }

    public func phaseReport(_ phase: String) async throws -> PhaseReport {
        try await get("/v1/reports/\(Self.pathSegment(phase))?format=json")
    }

    /// A phase report rendered by the server: `md` or `html`.
    public func phaseReportText(_ phase: String, format: String) async throws -> String {
        String(decoding: try await send(.GET, "/v1/reports/\(Self.pathSegment(phase))?format=\(format)"), as: UTF8.self)
    }

    // MARK: - Keys

    public func keys() async throws -> [KeyListing] { try await get("/v1/keys", as: KeyList.self).keys }

    public func createKey(_ request: CreateKeyRequest) async throws -> CreatedKey { try await post("/v1/keys", request) }

    public func revokeKey(_ id: String, reason: String?) async throws {
        let query = reason.flatMap { $0.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) }.map { "?reason=\($0)" } ?? ""
        _ = try await send(.DELETE, "/v1/keys/\(Self.pathSegment(id))\(query)")
    }

    // MARK: - Any path

    public func get<Answer: Decodable>(_ path: String, as type: Answer.Type = Answer.self) async throws -> Answer {
        try decode(type, from: try await send(.GET, path), path: path)
    }

    public func post<Answer: Decodable>(_ path: String, _ body: some Encodable, as type: Answer.Type = Answer.self) async throws -> Answer {
        try decode(type, from: try await send(.POST, path, body: try APICoding.encoder.encode(body)), path: path)
    }

    /// The raw answer of a 2xx; a `Failure` otherwise.
    public func send(_ method: HTTPMethod, _ path: String, body: Data? = nil) async throws -> Data {
        var headers = [(name: "Authorization", value: "Bearer \(key)")]
        if body != nil { headers.append((name: "Content-Type", value: "application/json")) }
        let response: TransportResponse
        do {
            response = try await transport.exchange(TransportRequest(method: method, path: path, headers: headers, body: body))
        } catch {
            throw Failure(status: nil, message: "cannot reach \(baseURL): \(error)")
        }
        let (status, data) = (response.status, response.body)
        guard (200..<300).contains(status) else {
            let problem = try? APICoding.decoder.decode(APIProblem.self, from: data)
            throw Failure(status: status, message: problem?.error.message ?? String(decoding: data, as: UTF8.self),
                          unmet: problem?.unmet ?? [])
        }
        return data
    }

    private func decode<Answer: Decodable>(_ type: Answer.Type, from data: Data, path: String) throws -> Answer {
        do {
            return try APICoding.decoder.decode(type, from: data)
        } catch {
            throw Failure(status: nil, message: "\(path): the answer is not a \(type): \(error)")
        }
    }

    private func parse<Answer: ParsedAnswer>(_ type: Answer.Type, from data: Data, path: String) throws -> Answer {
        do {
            return try Answer.parse(data)
        } catch {
            throw Failure(status: nil, message: "\(path): the answer is not a \(type): \(error)")
        }
    }

    private static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?"))) ?? text
    }
}
