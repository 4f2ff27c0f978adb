import ArgumentParser
import Foundation
import LiftoffServer
import LiftoffCore
import LiftoffStore
import Logging

/// `liftoff serve`: the server on the embedded SQLite store, or on PostgreSQL with `--database-url`.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the Liftoff server.")

    @Option(help: "The rollout plan (YAML). Default: examples/learning-platform.yml when it exists here.")
    var plan: String?

    @Option(help: "Directory of the embedded database.")
    var dataDir: String = ".liftoff"

    @Option(help: "Store everything in PostgreSQL instead, postgres://USER[:PASSWORD]@HOST:PORT/DB (or LIFTOFF_DATABASE_URL); several servers may share it.")
    var databaseURL: String?

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port: Int = 8080

    @Option(help: "How people reach this server, e.g. https://liftoff.example.com behind a proxy (or LIFTOFF_EXTERNAL_URL): alert links point there.")
    var externalURL: String?

    @Option(help: "PEM certificate chain, to serve HTTPS directly (with --tls-key).")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    func run() async throws {
        var logger = Logger(label: "liftoff")
        logger.logLevel = .info
        let environment = ProcessInfo.processInfo.environment
        let planPath = plan ?? (FileManager.default.fileExists(atPath: PlanLoading.examplePath) ? PlanLoading.examplePath : nil)
        let rolloutPlan: LiftoffCore.Plan
        var planText: String?
        do {
            if let planPath {
                (rolloutPlan, planText) = try PlanLoading.loadWithText(planPath)
            } else {
                rolloutPlan = .everyoneInControl
            }
        } catch let error as PlanFileError {
            throw ValidationError(error.description)
        }
        print(planPath.map { "Plan: \($0) (rollout \(rolloutPlan.rollout), \(rolloutPlan.phases.count) phases)" }
              ?? "No plan: one phase, everyone in control.")
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        var configuration = LiftoffConfiguration(
            host: host, port: port, dataDirectory: URL(fileURLWithPath: dataDir),
            adminKey: environment["LIFTOFF_ADMIN_KEY"].flatMap { $0.isEmpty ? nil : $0 }, plan: rolloutPlan)
        configuration.planText = planText
        if let database = databaseURL ?? environment["LIFTOFF_DATABASE_URL"], !database.isEmpty {
            configuration.store = .postgres(url: database)
        }
        if let tlsCert, let tlsKey {
            configuration.tls = TLSFiles(certificateChain: tlsCert, privateKey: tlsKey)
            configuration.externalURL = "https://\(host):\(port)"
        }
        if let external = externalURL ?? environment["LIFTOFF_EXTERNAL_URL"], !external.isEmpty {
            guard let url = URL(string: external), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ValidationError("--external-url: '\(external)' is not an http(s) URL such as https://liftoff.example.com")
            }
            configuration.externalURL = external.hasSuffix("/") ? String(external.dropLast()) : external
        }
        do {
            try await StoreOpening.withStore(configuration.store, logger: logger) { store, cluster in
                let built = try await buildApplication(configuration, store: store, cluster: cluster, logger: logger)
                if let key = built.generatedAdminKey {
                    print("""
                        Generated an admin key (shown only this once; only its hash is stored):

                            \(key)

                        Keep it, e.g. export LIFTOFF_KEY=\(key)
                        """)
                }
                let place = if case .sqlite = configuration.store { "data in \(dataDir)" } else { "\(configuration.store), node \(cluster.node)" }
                print("Liftoff listening on \(configuration.externalURL) (\(place))")
                // Returns after a graceful shutdown has drained what was accepted; only then does the store close.
                try await built.application.runService()
            }
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        } catch let error as StoreOpeningError {
            throw ValidationError(error.description)
        }
    }
}
