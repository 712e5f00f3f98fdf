import Foundation
import HDF5
import Testing

@Suite("Dataset round trips")
struct DatasetRoundTripTests {
    static let compressions: [HDF5Compression?] = [nil, .gzip(level: 4), .gzip(level: 9, shuffle: false)]

    @Test("float32 [3,5,7] round trip", arguments: compressions)
    func float32(compression: HDF5Compression?) throws {
        let directory = try TemporaryDirectory()
        let values = (0..<105).map { Float($0) * 0.37 - 11.5 }
        do {
            let file = try HDF5File.create(directory.path("f.h5"))
            try file.createDataset("w", values: values, shape: [3, 5, 7], compression: compression)
            try file.close()
        }
        let file = try HDF5File.open(directory.path("f.h5"))
        let dataset = try file.openDataset("w")
        #expect(dataset.shape == [3, 5, 7])
        #expect(dataset.count == 105)
        #expect(dataset.dataType == .float32)
        #expect(try dataset.read(Float.self) == values)
        #expect(try dataset.compression() == compression)
        #expect(try dataset.chunkShape() == (compression == nil ? nil : [3, 5, 7]))
    }

    @Test("float16: exactly representable values come back exactly")
    func float16Exact() throws {
        let directory = try TemporaryDirectory()
        let values: [Float] = [0, -0.0, 1, -2.5, 65504, -65504, 0x1p-14, 0x1p-24, 1024, 3.140625, 0.099975586, 7]
        let file = try HDF5File.create(directory.path("h.h5"))
        let dataset = try file.createDataset(
            "half", values: values, shape: [2, 2, 3], storedAs: .float16, compression: .gzip())
        #expect(dataset.dataType == .float16)
        let back = try file.openDataset("half").read(Float.self)
        #expect(back == values)
        #expect(back[1].sign == .minus)
        #expect(try file.openDataset("half").read(Double.self).map(Float.init) == values)
    }

    #if arch(arm64) || os(Linux)
    @Test("float16: other values round to nearest, ties to even (as numpy and torch .half())")
    func float16Rounding() throws {
        let directory = try TemporaryDirectory()
        // Includes ties (1 + 2⁻¹¹, 2⁻²⁵), a subnormal and an overflow to infinity.
        let values: [Float] = [0.1, 0.3, 1.0 / 3, -2.71828, 1e-5, 12345.678, 1 + 0x1p-11, 1 + 3 * 0x1p-11, 0x1p-25, 70000]
        let file = try HDF5File.create(directory.path("h.h5"))
        try file.createDataset("half", values: values, shape: [values.count], storedAs: .float16)
        #expect(try file.openDataset("half").read(Float.self) == values.map { Float(Float16($0)) })
    }
    #endif

    @Test("int64 [5,3] with extremes, compressed")
    func int64() throws {
        let directory = try TemporaryDirectory()
        var values = (0..<15).map { Int64($0) * 1_000_000_007 - 7 }
        values[0] = .min
        values[14] = .max
        let file = try HDF5File.create(directory.path("i.h5"))
        try file.createDataset("labels", values: values, shape: [5, 3], compression: .gzip(level: 1))
        let array = try file.read(Int64.self, at: "labels")
        #expect(array == HDF5Array(shape: [5, 3], values: values, storedType: .int64))
    }

    @Test("uint8 [7,11,3], compressed")
    func uint8() throws {
        let directory = try TemporaryDirectory()
        let values = (0..<231).map { UInt8(($0 * 37) % 256) }
        let file = try HDF5File.create(directory.path("u.h5"))
        try file.createDataset("pixels", values: values, shape: [7, 11, 3], compression: .gzip())
        let dataset = try file.openDataset("pixels")
        #expect(dataset.dataType == .uint8)
        #expect(try dataset.read(UInt8.self) == values)
        #expect(try dataset.read(Int64.self) == values.map(Int64.init))
    }

    @Test("int32 and float64 read natively and widened/narrowed")
    func int32AndFloat64() throws {
        let directory = try TemporaryDirectory()
        let ints: [Int32] = [-7, 0, .max, .min, 42]
        let doubles: [Double] = [0.1, -2.5, 1e-300, 3]
        let file = try HDF5File.create(directory.path("m.h5"))
        try file.createDataset("ints", values: ints, shape: [5])
        try file.createDataset("doubles", values: doubles, shape: [2, 2])
        #expect(try file.openDataset("ints").dataType == .int32)
        #expect(try file.openDataset("ints").read(Int32.self) == ints)
        #expect(try file.openDataset("ints").read(Int64.self) == ints.map(Int64.init))
        #expect(try file.openDataset("doubles").read(Double.self) == doubles)
        #expect(try file.openDataset("doubles").read(Float.self) == doubles.map(Float.init))
    }

    @Test("scalar and empty datasets")
    func scalarAndEmpty() throws {
        let directory = try TemporaryDirectory()
        let file = try HDF5File.create(directory.path("s.h5"))
        try file.createDataset("scalar", values: [Int64(-3)], shape: [], compression: .gzip())
        try file.createDataset("empty", values: [Float](), shape: [0, 4], compression: .gzip())
        let scalar = try file.openDataset("scalar")
        #expect(scalar.shape == [] && scalar.count == 1)
        #expect(try scalar.read(Int64.self) == [-3])
        let empty = try file.openDataset("empty")
        #expect(empty.shape == [0, 4] && empty.count == 0)
        #expect(try empty.read(Float.self) == [])
    }

    @Test("read into a caller-provided buffer; write from one; overwrite after reopening read-write")
    func buffers() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("b.h5")
        let values = (0..<60).map { Float($0) / 8 }
        do {
            let file = try HDF5File.create(path)
            let dataset = try file.createDataset("w", type: .float32, shape: [4, 15], compression: .gzip())
            try values.withUnsafeBufferPointer { try dataset.write(from: $0) }
        }
        do {
            let file = try HDF5File.open(path, mode: .readWrite)
            let dataset = try file.openDataset("w")
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: 60)
            defer { buffer.deallocate() }
            try dataset.read(into: buffer)
            #expect(Array(buffer) == values)
            try dataset.write(values.map { -$0 })
            try file.close()
        }
        #expect(try HDF5File.open(path).openDataset("w").read(Float.self) == values.map { -$0 })
    }

    @Test("large datasets are chunked to about 1 MiB")
    func largeChunking() throws {
        let directory = try TemporaryDirectory()
        let values = [Float](repeating: 0.5, count: 600 * 1000)
        let file = try HDF5File.create(directory.path("l.h5"))
        let dataset = try file.createDataset("big", values: values, shape: [600, 1000], compression: .gzip(level: 1))
        #expect(try dataset.chunkShape() == [262, 1000])
        #expect(try dataset.read(Float.self) == values)
        try file.close()
        let size = try FileManager.default.attributesOfItem(atPath: directory.path("l.h5"))[.size] as? Int
        #expect((size ?? .max) < 100_000, "600k equal floats should compress well, got \(size ?? -1) bytes")
    }

    @Test("default chunk shapes")
    func defaultChunkShapes() {
        #expect(HDF5Compression.defaultChunkShape(for: [64, 3, 3], elementBytes: 4) == [64, 3, 3])
        #expect(HDF5Compression.defaultChunkShape(for: [1280, 1000], elementBytes: 4) == [262, 1000])
        #expect(HDF5Compression.defaultChunkShape(for: [2, 600_000], elementBytes: 4) == [1, 262_144])
        #expect(HDF5Compression.defaultChunkShape(for: [10], elementBytes: 1, targetBytes: 4) == [4])
    }
}
