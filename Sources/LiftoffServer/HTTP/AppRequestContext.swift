import Hummingbird
import Logging
import LiftoffCore

/// The request context of every Liftoff route: Hummingbird's core plus the key that authenticated the call.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller's key, set by the scope check of the route; nil on routes without a scope.
    public var key: AuthenticatedKey?
    /// The peer's IP address, for throttling failed logins.
    public let remoteAddress: String

    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// A request from this process (`InProcessTransport`): no channel, no peer.
    init(inProcess source: InProcessSource) {
        coreContext = .init(source: source)
        remoteAddress = "in-process"
    }

    /// Ingest bodies are collected with their own limit; this only caps what a route could collect by default.
    public var maxUploadSize: Int { 64 << 20 }
}

/// Who is calling: the key's name (the actor recorded in the audit log) and its scope.
public struct AuthenticatedKey: Sendable, Equatable {
    public var id: String
    public var name: String
    public var scope: Scope
}

/// Where an in-process request's context comes from: only its logger.
struct InProcessSource: RequestContextSource {
    let logger: Logger
}
