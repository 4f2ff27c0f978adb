import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import LiftoffCore
import LiftoffStore
import Logging
import NIOSSL
import Prometheus
import ServiceLifecycle

/// A built server, ready to run, and what its start-up produced.
public struct LiftoffApplication {
    public var application: Application<RouterResponder<AppRequestContext>>
    /// The admin key generated on this start, to be shown once; nil when one already existed or was given.
    public var generatedAdminKey: String?
    /// Every route with its scope.
    public var routes: [RouteDescriptor]
    public var store: any Store
    /// The rollout's single writer; tests drive automatic promotion through it with an injected clock.
    var controller: RolloutCoordinator
    /// The guardrails; tests advance them tick by tick.
    var guardrails: GuardrailEvaluator
    var notifier: Notifier
    var retention: RetentionService
    /// The same routes without a socket: requests through it skip only the HTTP server.
    public var inProcess: InProcessTransport

    /// One evaluation of everything that decides, as the ticker runs it each second: guardrails first, then
    /// the gate for automatic promotion. The simulator calls it after moving its injected clock.
    public func tick() async {
        await ticker()
    }

    /// `tick` as a value that can cross tasks.
    public var ticker: @Sendable () async -> Void {
        { [guardrails, controller] in
            await guardrails.tick()
            await controller.tick()
        }
    }
}

/// Plain HTTP/1.1 with idle and header limits and the ingest fast path, wrapped in TLS when certificate files
/// are given.
func serverBuilder(_ configuration: LiftoffConfiguration, fastPath: IngestFastPath.Dependencies?) throws -> HTTPServerBuilder {
    let channel = HTTP1Channel.Configuration(
        idleTimeout: .nanoseconds(Int64(configuration.idleTimeout.components.seconds) * 1_000_000_000),
        httpDecoderConfiguration: .init(maxHeaderFieldSize: configuration.maxHeaderBytes, maxHeaderListSize: configuration.maxHeaderBytes,
                                        maxHeaderFieldCount: 200))
    let http = HTTPServerBuilder { responder in LiftoffHTTP1Channel(responder: responder, configuration: channel, fastPath: fastPath) }
    guard let files = configuration.tls else { return http }
    do {
        let chain = try NIOSSLCertificate.fromPEMFile(files.certificateChain).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: files.privateKey, format: .pem)
        return try .tls(http, tlsConfiguration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
    } catch {
        throw ConfigurationError("cannot use the TLS certificate \(files.certificateChain) and key \(files.privateKey): \(error)")
    }
}

/// Assembles the server around `store` (opened by the entry point from `configuration.store`): services and
/// routes. `liftoff serve`, the simulator and the tests call this same function.
///
/// `cluster` says whether this node leads (the evaluator, the notifier and retention run on the leader only)
/// and who else shares the store; an embedded store is its own single node.
///
/// `onServerRunning` is called with the bound port once the server listens (useful with port 0).
public func buildApplication(_ configuration: LiftoffConfiguration, store: any Store, cluster: any Cluster = SingleNode(),
                             logger: Logger = Logger(label: "liftoff"),
                             onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws -> LiftoffApplication {
    let clock = configuration.clock
    let generatedAdminKey = try await AdminKeyBootstrap.ensure(store: store, configured: configuration.adminKey, now: clock.now())
    let keys = KeyRing(store: store, clock: clock)
    try await keys.reload()
    let (plan, planVersion) = try await PlanVersions.resolve(configured: configuration.plan, text: configuration.planText, store: store,
                                                             now: clock.now(), logger: logger)
    let rollout = try await RolloutState.load(store: store, plan: plan, planVersion: planVersion, now: clock.now())
    let pipeline = IngestPipeline(store: store, clock: clock, logger: logger, maxQueuedEvents: configuration.ingestLimits.maxQueuedEvents)
    let metrics = MetricsQuery(store: store, rollout: rollout, clock: clock)
    let controller = RolloutCoordinator(store: store, state: rollout, metrics: metrics, clock: clock, logger: logger)
    let registry = PrometheusCollectorRegistry()
    let guardrails = GuardrailEvaluator(store: store, state: rollout, metrics: metrics, clock: clock, logger: logger,
                                        externalURL: configuration.externalURL, tickDuration: GuardrailEvaluator.tickHistogram(in: registry))
    let notifier = Notifier(store: store, currentGuardrails: { rollout.snapshot.plan.guardrails }, clock: clock, logger: logger,
                            cluster: cluster)
    let retention = RetentionService(store: store, currentPrivacy: { rollout.snapshot.plan.privacy }, clock: clock, logger: logger,
                                     cluster: cluster)
    // A plan version cannot turn pseudonymisation on or off (`PlanChanges.strandReason`), so this holds for the run.
    let pseudonymizer = plan.privacy.pseudonymizeUserIds
        ? Pseudonymizer(secret: try await store.secret(named: "pseudonym", make: Pseudonymizer.makeSecret)) : nil

    let router = Router(context: AppRequestContext.self)
    let requestMetrics = RequestMetrics<AppRequestContext>(registry: registry)
    router.add(middleware: requestMetrics)
    router.add(middleware: ErrorMapping(logger: logger))
    var routes = ScopedRoutes(router: router, keys: keys)
    HealthController(store: store, state: rollout).addRoutes(to: &routes)
    ClusterController(cluster: cluster, state: rollout).addRoutes(to: &routes)
    PlanController(versions: PlanVersions(store: store, state: rollout, clock: clock), store: store, state: rollout).addRoutes(to: &routes)
    routes.addOpen(.get, "/openapi.yaml") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml + "\n")))
    }
    let catalog = CatalogExposition(metrics: metrics, state: rollout, controller: controller, evaluator: guardrails, clock: clock)
    routes.add(.get, "/v1/metrics/prometheus", scope: .read) { _, _, _ in
        var body = ByteBuffer(bytes: registry.emitToBuffer())
        body.writeString(try await catalog.text())
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: body))
    }
    let events = EventsController(pipeline: pipeline, rollout: rollout, prices: { rollout.snapshot.plan.pricing }, clock: clock,
                                  validator: EventValidator(), limits: configuration.ingestLimits, pseudonymizer: pseudonymizer)
    events.addRoutes(to: &routes)
    OTLPController(events: events, limits: configuration.ingestLimits).addRoutes(to: &routes)
    MetricsController(query: metrics).addRoutes(to: &routes)
    InsightsController(query: metrics).addRoutes(to: &routes)
    EvaluateController(state: rollout).addRoutes(to: &routes)
    RolloutAPIController(controller: controller, state: rollout, clock: clock).addRoutes(to: &routes)
    AudienceController(controller: controller, state: rollout).addRoutes(to: &routes)
    AuditController(store: store).addRoutes(to: &routes)
    GuardrailsController(store: store, evaluator: guardrails, metrics: metrics, clock: clock).addRoutes(to: &routes)
    FeedbackController(store: store).addRoutes(to: &routes)
    DashboardController(pages: DashboardPages(store: store, state: rollout, controller: controller, metrics: metrics,
                                              reports: IncidentReports(store: store, metrics: metrics, clock: clock), clock: clock),
                        sessions: DashboardSessions(),
                        keys: keys, controller: controller, store: store, clock: clock,
                        secureCookies: configuration.tls != nil).addRoutes(to: &routes)
    ReportsController(reports: PhaseReports(store: store, state: rollout, metrics: metrics, clock: clock)).addRoutes(to: &routes)
    KeysController(administration: KeyAdministration(store: store, clock: clock), keys: keys).addRoutes(to: &routes)
    routes.refuseOtherMethods()

    let ticker = RolloutTicker(controller: controller, guardrails: guardrails, state: rollout, store: store, cluster: cluster, keys: keys,
                               interval: configuration.tickInterval)
    let membership = ClusterService(cluster: cluster, state: rollout, store: store, keys: keys)
    let services: [any Service] = configuration.deliversMessages
        ? [pipeline, notifier, retention, ticker, membership] : [pipeline, retention, ticker, membership]
    let serverName = "liftoff"
    let application = Application(
        router: router,
        server: try serverBuilder(configuration, fastPath: IngestFastPath.Dependencies(
            events: events, keys: keys, metrics: requestMetrics,
            answered: registry.makeCounter(name: "liftoff_http_fast_path_requests_total",
                                           help: "POST /v1/events requests answered on the event loop's fast path; the rest went through the router."),
            date: HTTPDate(), serverName: serverName, logger: logger,
            maxBodyBytes: min(configuration.ingestLimits.maxBodyBytes, 16 << 10))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: serverName),
        services: services,
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
    return LiftoffApplication(application: application, generatedAdminKey: generatedAdminKey,
                              routes: routes.descriptors, store: store, controller: controller,
                              guardrails: guardrails, notifier: notifier, retention: retention,
                              inProcess: InProcessTransport(responder: router.buildResponder(), logger: logger))
}
