// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "liftoff",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "liftoff", targets: ["liftoff"]),
        .library(name: "LiftoffCore", targets: ["LiftoffCore"]),
        .library(name: "LiftoffStore", targets: ["LiftoffStore"]),
        .library(name: "LiftoffSQLite", targets: ["LiftoffSQLite"]),
        .library(name: "LiftoffPostgres", targets: ["LiftoffPostgres"]),
        .library(name: "LiftoffAPI", targets: ["LiftoffAPI"]),
        .library(name: "LiftoffServer", targets: ["LiftoffServer"]),
        .library(name: "LiftoffSimulator", targets: ["LiftoffSimulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // Runtime of the committed OTLP types (scripts/generate-otlp.sh); the plugin is not used in builds.
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
    ],
    targets: [
        .target(
            name: "LiftoffCore",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // The Store protocol, its records and errors: no engine, so PostgreSQL can implement it too.
        .target(
            name: "LiftoffStore",
            dependencies: ["LiftoffCore"],
            swiftSettings: swiftSettings
        ),
        // The embedded engine.
        .target(
            name: "LiftoffSQLite",
            dependencies: [
                "LiftoffCore",
                "LiftoffStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The C API, to bind the rows of a batched insert without boxing each value.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        // The engine for several nodes: PostgreSQL through PostgresNIO.
        .target(
            name: "LiftoffPostgres",
            dependencies: [
                "LiftoffCore",
                "LiftoffStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The HTTP API's request and answer types, its typed documents (reports, alert messages) and the one
        // client: what the server encodes is what the CLI, the simulator and the tests decode.
        .target(
            name: "LiftoffAPI",
            dependencies: [
                "LiftoffCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // OpenTelemetry in: OTLP's trace types (generated, committed) and the GenAI conventions mapped to events.
        .target(
            name: "LiftoffOTLP",
            dependencies: [
                "LiftoffCore",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LiftoffServer",
            dependencies: [
                "LiftoffCore",
                "LiftoffStore",
                "LiftoffAPI",
                "LiftoffOTLP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LiftoffSimulator",
            dependencies: [
                "LiftoffCore",
                "LiftoffAPI",
                "LiftoffServer",
                "LiftoffSQLite",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "liftoff",
            dependencies: [
                "LiftoffCore",
                "LiftoffAPI",
                "LiftoffServer",
                "LiftoffSimulator",
                "LiftoffStore",
                "LiftoffSQLite",
                "LiftoffPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LiftoffCoreTests",
            dependencies: [
                "LiftoffCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LiftoffSimulatorTests",
            dependencies: ["LiftoffSimulator", "LiftoffCore", "LiftoffServer", "LiftoffAPI"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LiftoffStoreTests",
            dependencies: [
                "LiftoffStore",
                "LiftoffSQLite",
                "LiftoffPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LiftoffServerTests",
            dependencies: [
                "LiftoffServer",
                "LiftoffSQLite",
                "LiftoffAPI",
                "LiftoffOTLP",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Yams", package: "Yams"),
            ],
            // Read by a test at its source path (the dashboard's golden snapshot), not a resource.
            exclude: ["Snapshots"],
            swiftSettings: swiftSettings
        ),
    ]
)
