// swift-tools-version:6.2
import PackageDescription

/// Settings applied to every target: explicit existentials, imports that say where a member comes from,
/// and imports that stay internal unless marked `public` (SE-0335, SE-0444, SE-0409).
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "LambdaSockets",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Runtime", targets: ["Runtime"]),
        .library(name: "HandlerKit", targets: ["HandlerKit"]),
        .library(name: "HandlerKitTesting", targets: ["HandlerKitTesting"]),
        .library(name: "DynamoKit", targets: ["DynamoKit"]),
        .executable(name: "Handlers", targets: ["Handlers"]),
        .executable(name: "lambda-local", targets: ["lambda-local"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // The function side: what the deployed binary links (no SwiftNIO, FoundationEssentials only).
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .yum(["libcurl-devel"])]
        ),
        // The invocation thread's C side: eventfd, main-thread check, libdispatch's main-queue hooks.
        .target(name: "CMainThread", linkerSettings: [.linkedLibrary("dispatch", .when(platforms: [.linux]))]),
        // `CommandLine.arguments` from what glibc hands the program's constructors, not /proc/self/maps.
        .target(name: "CProcessArguments"),
        .target(
            name: "Runtime",
            dependencies: [
                "CCurl",
                "CMainThread",
                "CProcessArguments",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The JSON reader's vector scan.
        .target(name: "CByteScan"),
        .target(
            name: "HandlerKit",
            dependencies: [
                "Runtime",
                "CCurl",
                "CByteScan",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "HandlerKitTesting",
            dependencies: ["HandlerKit", "Runtime", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "DynamoKit",
            dependencies: ["Runtime", "HandlerKit"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "ChatApp",
            dependencies: ["Runtime", "HandlerKit", "DynamoKit", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "Handlers",
            dependencies: ["Runtime", "HandlerKit", "ChatApp", "DynamoKit", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),

        // The tools: local gateway, Runtime API mock, CLI. These may use SwiftNIO.
        .target(
            name: "LocalGateway",
            dependencies: [
                "HandlerKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "lambda-local",
            dependencies: [
                "LocalGateway",
                "HandlerKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // Benchmarks: broadcast through the management client (see Benchmarks/broadcast/run.py).
        .executableTarget(
            name: "broadcast-bench",
            dependencies: ["HandlerKit"],
            path: "Benchmarks/broadcast/BroadcastBench",
            swiftSettings: strictSettings
        ),

        // Test fixtures: a function whose faults are chosen by its events and environment.
        .executableTarget(
            name: "FaultyFunction",
            dependencies: ["Runtime", .product(name: "Logging", package: "swift-log")],
            path: "Tests/Functions/FaultyFunction",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "GatewayTestFunction",
            dependencies: ["Runtime"],
            path: "Tests/Functions/GatewayTestFunction",
            swiftSettings: strictSettings
        ),
        // Benchmarks' function: the runtime loop with a handler that does nothing.
        .executableTarget(
            name: "bench-noop",
            dependencies: ["Runtime"],
            path: "Benchmarks/Functions/NoopFunction",
            swiftSettings: strictSettings
        ),
        // Benchmarks' WebSocket function: a router whose routes answer 200 and do nothing else.
        .executableTarget(
            name: "bench-router-noop",
            dependencies: ["Runtime", "HandlerKit"],
            path: "Benchmarks/Functions/RouterNoopFunction",
            swiftSettings: strictSettings
        ),
        // Benchmarks' driver for the Runtime API mock: round trips per second through RuntimeAPIMock.
        .executableTarget(
            name: "bench-mock-roundtrip",
            dependencies: ["LocalGateway"],
            path: "Benchmarks/MockRoundTrip",
            swiftSettings: strictSettings
        ),
        .target(
            name: "TestServices",
            dependencies: ["DynamoKit"],
            path: "Tests/TestServices",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ChatAppTests",
            dependencies: ["ChatApp", "DynamoKit", "HandlerKit", "HandlerKitTesting", "Runtime", "TestServices"],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "DynamoKitTests",
            dependencies: ["DynamoKit", "HandlerKit", "Runtime", "TestServices"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HandlerKitManagementTests",
            dependencies: ["HandlerKit", "Runtime"],
            exclude: ["Support"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LocalGatewayTests",
            dependencies: [
                "LocalGateway",
                "Runtime",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PackagingTests",
            dependencies: ["lambda-local"],
            swiftSettings: strictSettings
        ),
        // Tests' view of the process heap (glibc's mallinfo2), for checks that something does not grow.
        .target(name: "CHeapUsage", path: "Tests/CHeapUsage"),
        .testTarget(
            name: "RuntimeTests",
            dependencies: ["Runtime", "LocalGateway", "CHeapUsage", "CProcessArguments"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HandlerKitTests",
            dependencies: ["HandlerKit", "HandlerKitTesting", "Runtime"],
            exclude: ["Fixtures"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "bench-gateway-client",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            path: "Benchmarks/GatewayLoadClient",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "bench-sigv4",
            dependencies: ["HandlerKit"],
            path: "Benchmarks/SigV4",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "bench-decode-route",
            dependencies: ["HandlerKit", "HandlerKitTesting", "Runtime"],
            path: "Benchmarks/DecodeRoute",
            swiftSettings: strictSettings
        ),
    ]
)
