import Hummingbird
import LiftoffCore

/// One registered route and the scope it requires (nil: open, like `/healthz`).
public struct RouteDescriptor: Sendable, Hashable {
    public var method: HTTPRequest.Method
    public var path: String
    public var scope: Scope?
    /// Dashboard pages and forms authenticate with a session cookie instead of a bearer key.
    public var isPage: Bool = false
    /// The query parameters the route reads; any other is answered with 400, never ignored.
    public var queryParameters: [String] = []
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
    /// A handler of a route with a scope receives the key that passed the scope check.
    typealias AuthenticatedHandler = @Sendable (Request, AppRequestContext, AuthenticatedKey) async throws -> Response

    /// A route that needs a key covering `scope`, reading the query parameters `query`.
    mutating func add(_ method: HTTPRequest.Method, _ path: String, scope: Scope, query: [String] = [],
                      _ handler: @escaping AuthenticatedHandler) {
        descriptors.append(RouteDescriptor(method: method, path: path, scope: scope, queryParameters: query))
        let keys = self.keys
        router.on(RouterPath(path), method: method) { request, context -> Response in
            var context = context
            let key = try keys.authenticate(request, requiring: scope)
            context.key = key
            try Self.check(request, path: path, allowed: query)
            return try await handler(request, context, key)
        }
    }

    /// A dashboard page or form: it checks the session itself and needs `scope` (nil: the login page).
    mutating func addPage(_ method: HTTPRequest.Method, _ path: String, scope: Scope? = nil, query: [String] = [],
                          _ handler: @escaping Handler) {
        descriptors.append(RouteDescriptor(method: method, path: path, scope: scope, isPage: true, queryParameters: query))
        router.on(RouterPath(path), method: method) { request, context -> Response in
            try Self.check(request, path: path, allowed: query)
            return try await handler(request, context)
        }
    }

    /// A route anyone may call: only liveness and readiness.
    mutating func addOpen(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
        descriptors.append(RouteDescriptor(method: method, path: path, scope: nil))
        router.on(RouterPath(path), method: method) { request, context -> Response in
            try Self.check(request, path: path, allowed: [])
            return try await handler(request, context)
        }
    }

    /// After every route is added: a path answers a method it does not take with 405 and `Allow` (RFC 9110
    /// §15.5.6), not the 404 of a path that does not exist: `GET /otlp/v1/traces` is the wrong method at the
    /// right address, and clients and scanners tell the two apart.
    func refuseOtherMethods() {
        let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete]
        for (path, routes) in Dictionary(grouping: descriptors, by: \.path) {
            let taken = Set(routes.map(\.method))
            let allow = methods.filter(taken.contains).map(\.rawValue).joined(separator: ", ")
            for method in methods where !taken.contains(method) {
                router.on(RouterPath(path), method: method) { _, _ -> Response in
                    var error = APIError(.methodNotAllowed, code: "method_not_allowed",
                                         "\(path) does not take \(method.rawValue); it takes \(allow)")
                    error.headers[.allow] = allow
                    throw error
                }
            }
        }
    }

    /// A query parameter the route does not read would be silently ignored (`?feature=x` answering for every
    /// feature), so it is a 400 that names it and the ones the route takes.
    static func check(_ request: Request, path: String, allowed: [String]) throws {
        for (name, _) in request.uri.queryParameters where !allowed.contains(String(name)) {
            let takes = allowed.isEmpty ? "takes no query parameters" : "takes \(allowed.joined(separator: ", "))"
            throw APIError.badRequest("unknown query parameter '\(name)': \(request.method.rawValue) \(path) \(takes)")
        }
    }
}
