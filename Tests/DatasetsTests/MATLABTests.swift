import Datasets
import Foundation
import OFATestSupport
import Testing

@Suite struct MATLABTests {
    static let mat = TestPaths.fixture("datasets/flowers102-mini/mat")

    @Test(arguments: ["types.mat", "types-compressed.mat"])
    func readsEveryStorageType(_ name: String) throws {
        let f = try MATFile(contentsOf: Self.mat.appendingPathComponent(name))
        #expect(f.headerText.hasPrefix("MATLAB 5.0 MAT-file"))
        #expect(!f.isBigEndian)
        #expect(try f.integers("i8") == [-128, -1, 0, 1, 127])
        #expect(try f.integers("u8") == [0, 1, 255])
        #expect(try f.integers("i16") == [-32768, 32767])
        #expect(try f.integers("u16") == [0, 65535])
        #expect(try f.integers("i32") == [-2_147_483_648, 2_147_483_647])
        #expect(try f.integers("u32") == [0, 4_294_967_295])
        #expect(try f.integers("i64") == [Int.min, Int.max])
        #expect(try f.integers("u64") == [0, Int.max])
        #expect(try f.array("u64big").values == .doubles([18_446_744_073_709_551_615.0]))
        #expect(try f.doubles("f32") == [1.5, -0.25, Double(Float(3.0e38))])
        #expect(try f.doubles("f64") == [0.1, -2.5, 1e300])
        #expect(try f.array("i8").numericClass == .int8)
        #expect(try f.array("u64").numericClass == .uint64)
        #expect(try f.array("f32").numericClass == .single)
        #expect(try f.array("i8").dimensions == [1, 5])

        let m = try f.array("matrix")
        #expect(m.dimensions == [2, 3])
        #expect(m.doubles == [1, 4, 2, 5, 3, 6], "column-major")
        #expect(m.integers == [1, 4, 2, 5, 3, 6])

        let flags = try f.array("flags")
        #expect(flags.isLogical && flags.integers == [1, 0, 1])
        #expect(try f.array("empty").dimensions == [0, 0] && f.array("empty").count == 0)

        #expect(f.unsupported["text"] == "char array")
        #expect(f.unsupported["cell"] == "cell array")
        #expect(f.unsupported["record"] == "struct")
        #expect(f.unsupported["z"] == "complex double array")
    }

    @Test func nestedCompressedElements() throws {
        let f = try MATFile(contentsOf: Self.mat.appendingPathComponent("nested.mat"))
        #expect(try f.doubles("deep") == [1, 2, 3])
    }

    @Test func bigEndianFileWithSmallElements() throws {
        let f = try MATFile(contentsOf: Self.mat.appendingPathComponent("bigendian.mat"))
        #expect(f.isBigEndian)
        #expect(try f.array("ids").numericClass == .double)
        #expect(try f.integers("ids") == [1, 2, 102, 7000])
        #expect(try f.integers("x") == [3, 250])
    }

    @Test(.enabled(if: TestPaths.sharedEnabled, "../shared is absent"))
    func officialFlowersLabelFiles() throws {
        let shared = try #require(TestPaths.shared)
        let folder = shared.appendingPathComponent("datasets/flowers102-labels")
        let labelsFile = try MATFile(contentsOf: folder.appendingPathComponent("imagelabels.mat"))
        let labels = try labelsFile.array("labels")
        // MATLAB stored the labels as a 1×8189 double array whose data is written as miUINT8.
        #expect(labels.dimensions == [1, 8189])
        #expect(labels.numericClass == .double)
        let values = try #require(labels.integers)
        #expect(values.count == 8189)
        #expect(values.allSatisfy { (1...102).contains($0) })
        #expect(Set(values).count == 102)

        let setid = try MATFile(contentsOf: folder.appendingPathComponent("setid.mat"))
        let train = try setid.integers("trnid"), valid = try setid.integers("valid"), test = try setid.integers("tstid")
        #expect((train.count, valid.count, test.count) == (1020, 1020, 6149))
        #expect(try setid.array("tstid").dimensions == [1, 6149])
        let all = Set(train).union(valid).union(test)
        #expect(all.count == 8189, "disjoint")
        #expect(all == Set(1...8189), "covering 1…8189")
        print("imagelabels.mat: \(labelsFile.headerText.prefix(60))…; setid.mat: trnid \(train.count), valid \(valid.count), tstid \(test.count)")
    }

    /// Each bad input gives one line naming the file and what is wrong.
    @Test(arguments: [
        ("truncated.mat", "truncated"),
        ("not-a-mat.mat", "no MATLAB 5.0 header"),
        ("absent.mat", "no such file"),
    ])
    func badFileIsOneLine(_ name: String, _ expected: String) throws {
        let url = Self.mat.appendingPathComponent(name)
        let error = try #require(throws: DatasetError.self) { try MATFile(contentsOf: url) }
        let line = error.description
        print("\(name): \(line)")
        #expect(line.hasPrefix(url.path + ": not a readable MATLAB v5 file: "))
        #expect(line.contains(expected), "\(line)")
        #expect(!line.contains("\n"))
    }

    @Test func truncatedHeaderAndEmptyFile() throws {
        let bytes = try [UInt8](Data(contentsOf: Self.mat.appendingPathComponent("types.mat")))
        for cut in [0, 100, 130, 200, bytes.count - 3] {
            let error = try #require(throws: DatasetError.self) { try MATFile(bytes: Array(bytes.prefix(cut)), file: "cut.mat") }
            #expect(!error.description.contains("\n"), "\(cut): \(error)")
            if case .matFile(let file, _) = error { #expect(file == "cut.mat") } else { Issue.record("\(error)") }
        }
    }

    @Test func corruptCompressedDataNamesZlibsMessage() throws {
        var bytes = try [UInt8](Data(contentsOf: Self.mat.appendingPathComponent("types-compressed.mat")))
        for i in 150..<170 { bytes[i] ^= 0x5A }
        let error = try #require(throws: DatasetError.self) { try MATFile(bytes: bytes, file: "corrupt.mat") }
        print("corrupt.mat: \(error)")
        #expect(error.description.contains("corrupt zlib data") || error.description.contains("truncated"))
    }

    @Test func missingAndUnsupportedVariables() throws {
        let f = try MATFile(contentsOf: Self.mat.appendingPathComponent("types.mat"))
        let missing = try #require(throws: DatasetError.self) { try f.integers("labels") }
        #expect(missing.description.contains("no variable 'labels' (it has cell, empty, f32"))
        let text = try #require(throws: DatasetError.self) { try f.doubles("text") }
        #expect(text.description.hasSuffix("variable 'text' is a char array; only real numeric arrays are read"))
        let fractional = try #require(throws: DatasetError.self) { try f.integers("f32") }
        #expect(fractional.description.contains("variable 'f32' holds 1.5, not a whole number"))
    }
}
