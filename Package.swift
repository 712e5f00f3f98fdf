// swift-tools-version:5.9
import PackageDescription

/// Kernel targets are built for a CPU with AVX2/FMA: without a target CPU Swift emits SSE2 only and
/// `addingProduct` becomes a per-lane library call (measured 27x slower, shared/docs/toolchain-notes.md).
let kernelSettings: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "haswell"]),
    .unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "ofa-search",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ofa-search", targets: ["ofa-search"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // MARK: - Public API

        .executableTarget(
            name: "ofa-search",
            dependencies: [
                "HDF5", "Tensors", "TorchCheckpoint", "Images", "Networks", "Supernets", "Datasets", "Transfer", "Memory", "Search",
                "History",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            resources: [.copy("Resources/imagenet-classes.txt")]),
        .target(name: "HDF5", dependencies: ["CHDF5"]),
        .target(name: "Tensors", dependencies: ["CBLAS"], exclude: ["Kernels/README.md"], swiftSettings: kernelSettings),
        .target(name: "TorchCheckpoint"),
        .target(name: "Images", dependencies: ["CImageCodecs"], swiftSettings: kernelSettings),
        .target(name: "Networks", dependencies: ["Tensors", "TorchCheckpoint", "HDF5"], swiftSettings: kernelSettings),
        .target(name: "Supernets", dependencies: ["Networks", "Tensors", "HDF5"]),
        .target(name: "Datasets", dependencies: ["Images", "Tensors", "CZlib"]),
        .target(name: "Memory", dependencies: ["Supernets", "Tensors"]),
        .target(name: "Transfer", dependencies: ["Networks", "Supernets", "Tensors", "HDF5"], swiftSettings: kernelSettings),
        .target(name: "Search", dependencies: ["Supernets", "Transfer", "Memory", "Datasets", "Images", "Tensors", "History", "HDF5"]),
        .target(name: "History", dependencies: ["CSQLite"], exclude: ["SCHEMA.md"]),

        // MARK: - Implementation details (system-library shims)

        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "CImageCodecs", pkgConfig: "libpng",
            providers: [.apt(["libturbojpeg0-dev", "libpng-dev"])]),

        // MARK: - Benchmarks

        .executableTarget(
            name: "ofa-bench",
            dependencies: ["Tensors", "Networks", "Supernets", "Datasets", "Transfer", "Memory"],
            path: "Benchmarks/ofa-bench",
            swiftSettings: kernelSettings),

        // MARK: - Tests

        .target(name: "OFATestSupport", dependencies: ["TorchCheckpoint"], path: "Sources/OFATestSupport"),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5", "OFATestSupport"]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "OFATestSupport"], swiftSettings: kernelSettings),
        .testTarget(name: "TorchCheckpointTests", dependencies: ["TorchCheckpoint", "OFATestSupport"]),
        .testTarget(name: "ImagesTests", dependencies: ["Images", "OFATestSupport"]),
        .testTarget(name: "NetworksTests", dependencies: ["Networks", "Tensors", "HDF5", "OFATestSupport"]),
        .testTarget(name: "SupernetsTests", dependencies: ["Supernets", "Networks", "Tensors", "HDF5", "OFATestSupport"]),
        .testTarget(name: "TransferTests", dependencies: ["Transfer", "Networks", "Tensors", "Supernets", "HDF5", "OFATestSupport"]),
        .testTarget(name: "SearchTests", dependencies: ["Search", "Supernets", "Transfer", "Tensors", "History", "OFATestSupport"]),
        .testTarget(name: "MemoryTests", dependencies: ["Memory", "Supernets"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Images", "Tensors", "OFATestSupport"]),
        .testTarget(name: "HistoryTests", dependencies: ["History"]),
        // `ofa-search` is built for the tests to run it as a process.
        .testTarget(name: "EndToEndTests", dependencies: ["OFATestSupport", "Supernets", "Transfer", "History", "Search", "HDF5",
                                                         "ofa-search"]),
    ]
)
