import Hummingbird
import LiftoffCore

/// One registered route and the scope it requires (nil: open, like `/healthz`).
public struct RouteDescriptor: Sendable, Hashable {
    public var method: HTTPRequest.Method
    public var path: String
    public var scope: Scope?
    /// Dashboard pages and forms authenticate with a session cookie instead of a bearer key.
    public var isPage: Bool = false
}

/// Registers routes with their scope declared at the same place, so no route can be added without saying
/// who may call it, and the list of routes (for tests and the API description) is exact.
struct ScopedRoutes {
    let router: Router<AppRequestContext>
    let keys: KeyRing
    private(set) var descriptors: [RouteDescriptor] = []

    init(router: Router<AppRequestContext>, keys: KeyRing) {
        self.router = router
        self.keys = keys
    }

    typealias Handler = @Sendable (Request, AppRequestContext) async throws -> Response

    /// A route that needs a key covering `scope`.
    mutating func add(_ method: HTTPRequest.Method, _ path: String, scope: Scope, _ handler: @escaping Handler) {
        descriptors.append(RouteDescriptor(method: method, path: path, scope: scope))
        let keys = self.keys
        router.on(RouterPath(path), method: method) { request, context -> Response in
            var context = context
            context.key = try keys.authenticate(request, requiring: scope)
            return try await handler(request, context)
        }
    }

    /// A dashboard page or form: it checks the session itself and needs `scope` (nil: the login page).
    mutating func addPage(_ method: HTTPRequest.Method, _ path: String, scope: Scope? = nil, _ handler: @escaping Handler) {
        descriptors.append(RouteDescriptor(method: method, path: path, scope: scope, isPage: true))
        router.on(RouterPath(path), method: method, use: handler)
    }

    /// A route anyone may call: only liveness and readiness.
    mutating func addOpen(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
        descriptors.append(RouteDescriptor(method: method, path: path, scope: nil))
        router.on(RouterPath(path), method: method, use: handler)
    }
}
