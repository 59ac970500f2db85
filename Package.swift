// swift-tools-version:6.1
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
        .target(
            name: "Runtime",
            dependencies: [
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "HandlerKit",
            dependencies: [
                "Runtime",
                "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "Handlers",
            dependencies: ["Runtime", "HandlerKit"],
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
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
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
        .testTarget(
            name: "LocalGatewayTests",
            dependencies: [
                "LocalGateway",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RuntimeTests",
            dependencies: ["Runtime", "LocalGateway"],
            swiftSettings: strictSettings
        ),
    ]
)
