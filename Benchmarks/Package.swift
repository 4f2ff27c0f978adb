// swift-tools-version: 6.1
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, which depends on where the repository was cloned.
let liftoff = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

// A package of its own, so the main build and the tests never compile the benchmark harness.
let package = Package(
    name: "LiftoffBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "store-rate",
            dependencies: [
                .product(name: "LiftoffCore", package: liftoff),
                .product(name: "LiftoffStore", package: liftoff),
                .product(name: "LiftoffSQLite", package: liftoff),
            ],
            path: "Sources/store-rate"
        ),
        .executableTarget(
            name: "simulator-step",
            dependencies: [
                .product(name: "LiftoffCore", package: liftoff),
                .product(name: "LiftoffAPI", package: liftoff),
                .product(name: "LiftoffSimulator", package: liftoff),
            ],
            path: "Sources/simulator-step"
        ),
        .executableTarget(
            name: "IngestBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "LiftoffCore", package: liftoff),
                .product(name: "LiftoffStore", package: liftoff),
                .product(name: "LiftoffSQLite", package: liftoff),
            ],
            path: "Benchmarks/IngestBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ]
)
