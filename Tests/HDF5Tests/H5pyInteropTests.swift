import Foundation
import HDF5
import OFATestSupport
import Testing

@Suite("h5py interoperability")
struct H5pyInteropTests {
    struct Config: Decodable, Equatable {
        var name: String
        var depths: [Int]
        var ratio: Double
        var ok: Bool
    }

    static let fixture = TestPaths.fixture("hdf5/h5py_written.h5")

    @Test("reads the file h5py wrote (make_h5py_fixture.py): root attributes")
    func rootAttributes() throws {
        let file = try HDF5File.open(at: Self.fixture)
        try file.requireFormat(HDF5FileFormat(name: "ofa-search/hdf5-test", version: 1))
        #expect(try file.stringAttribute("generator") == "Tests/Fixtures/hdf5/make_h5py_fixture.py")
        #expect(try file.stringAttribute("title") == "Größe µ — 花 🌸")
        #expect(try file.attribute("count") == .int64(42))
        #expect(try file.attribute("scale") == .double(0.125))
        #expect(try file.attribute("mean") == .floats([0.5, 0.25, -1.75]))
        #expect(try file.stringAttribute("fixed") == "fixed-ascii")
        #expect(try file.jsonAttribute("config", as: Config.self)
            == Config(name: "tiny", depths: [2, 3, 4], ratio: 0.5, ok: true))
    }

    @Test("reads the file h5py wrote: structure and listing")
    func structure() throws {
        let file = try HDF5File.open(at: Self.fixture)
        #expect(try file.datasetPaths() == [
            "extras/doubles", "extras/scalar_int32", "labels", "model/features/0/weight",
            "model/features/0/weight_half", "model/head/bias", "pixels",
        ])
        #expect(try file.children().map(\.name) == ["extras", "labels", "model", "pixels"])
        #expect(try file.children(of: "extras") == [
            HDF5Child(name: "dangling", kind: .unresolvedLink), HDF5Child(name: "doubles", kind: .dataset),
            HDF5Child(name: "scalar_int32", kind: .dataset),
        ])
        #expect(try file.openGroup("model/head").int64Attribute("classes") == 7)
    }

    @Test("reads the file h5py wrote: every dataset, value for value")
    func datasets() throws {
        let file = try HDF5File.open(at: Self.fixture)
        let weight = try file.openDataset("model/features/0/weight")
        #expect(weight.dataType == .float32 && weight.shape == [4, 3, 2])
        #expect(try weight.read(Float.self) == (0..<24).map { Float($0) * 0.25 - 3 })
        #expect(try weight.compression() == .gzip(level: 4, shuffle: true))
        #expect(try weight.chunkShape() == [4, 3, 2])
        #expect(try weight.stringAttribute("layout") == "OIHW")
        #expect(try weight.stringAttribute("note") == "naïve café")
        #expect(try weight.int64Attribute("fan_in") == 6)

        let half = try file.read(Float.self, at: "model/features/0/weight_half")
        #expect(half.storedType == .float16 && half.shape == [3, 5])
        #expect(half.values == [
            0, -0.0, 1, -2.5, 0.0999755859375,
            65504, -65504, 0x1p-14, 0x1p-24, 1024,
            3.140625, -0.5, 0.75, 7, -1,
        ])

        #expect(try file.read(Float.self, at: "model/head/bias")
            == HDF5Array(shape: [7], values: [0.5, -0.5, 1.5, -1.5, 2, 0, 8], storedType: .float32))
        #expect(try file.openDataset("model/head/bias").compression() == nil)
        #expect(try file.read(Int64.self, at: "labels")
            == HDF5Array(shape: [2, 5], values: [0, 1, -1, 1 << 40, -(1 << 40), 7, 8, 9, 10, 11], storedType: .int64))
        #expect(try file.read(UInt8.self, at: "pixels")
            == HDF5Array(shape: [2, 3, 3], values: (0..<18).map { UInt8($0 * 13 % 256) }, storedType: .uint8))
        #expect(try file.read(Int32.self, at: "extras/scalar_int32")
            == HDF5Array(shape: [], values: [-7], storedType: .int32))
        #expect(try file.read(Int64.self, at: "extras/scalar_int32").values == [-7])
        #expect(try file.read(Double.self, at: "extras/doubles").values == [0.1, 1e-300, -2.5])
        #expect(try file.read(Float.self, at: "extras/doubles").values == [0.1, 0, -2.5])
    }

    /// Writes a file covering every dtype and attribute kind for a manual check that h5py reads it:
    /// `/work/venv/bin/python Tests/Fixtures/hdf5/check_with_h5py.py <tmp>/ofa-search-hdf5-interop.h5`.
    @Test("writes a file for check_with_h5py.py")
    func writeForH5py() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ofa-search-hdf5-interop.h5")
        do {
            let file = try HDF5File.create(at: url)
            try file.writeFormat(HDF5FileFormat(name: "ofa-search/hdf5-interop", version: 1))
            try file.setAttribute("title", "Größe µ — 花 🌸")
            try file.setAttribute("count", 42)
            try file.setAttribute("scale", 0.125)
            try file.setAttribute("mean", [0.5, 0.25, -1.75])
            try file.setJSONAttribute("config", ["depths": [2, 3, 4]])
            let weight = try file.createDataset(
                "model/features/0/weight", values: (0..<24).map { Float($0) * 0.25 - 3 }, shape: [4, 3, 2],
                compression: .gzip(level: 4))
            try weight.setAttribute("layout", "OIHW")
            try file.createDataset(
                "model/features/0/weight_half", values: [0, -0.0, 1, -2.5, 65504, 0x1p-24] as [Float], shape: [2, 3],
                storedAs: .float16, compression: .gzip())
            try file.createDataset("labels", values: [0, -1, 1 << 40] as [Int64], shape: [3], compression: .gzip())
            try file.createDataset("pixels", values: (0..<12).map { UInt8($0 * 21) }, shape: [2, 2, 3])
            try file.createDataset("extras/ints", values: [-7, 7] as [Int32], shape: [2])
            try file.createDataset("extras/doubles", values: [0.1, 1e-300] as [Double], shape: [2])
            try file.createDataset("extras/scalar", values: [Int64(5)], shape: [])
            try file.openGroup("model").setAttribute("note", "naïve café")
            try file.close()
        }
        let file = try HDF5File.open(at: url)
        #expect(try file.datasetPaths().count == 7)
        #expect(try file.openDataset("model/features/0/weight_half").dataType == .float16)
    }
}
