import Foundation
import HDF5
import Testing

/// Files for one error case: a valid file, a truncated copy, a text file, an empty file.
final class ErrorWorkspace {
    let directory: TemporaryDirectory
    let valid: String, truncated: String, headerOnly: String, text: String, empty: String, missing: String

    init() throws {
        directory = try TemporaryDirectory()
        valid = directory.path("valid.h5")
        truncated = directory.path("truncated.h5")
        headerOnly = directory.path("header-only.h5")
        text = directory.path("notes.h5")
        empty = directory.path("empty.h5")
        missing = directory.path("missing.h5")
        let file = try HDF5File.create(valid)
        try file.createDataset("g/w", values: (0..<6).map(Float.init), shape: [2, 3], compression: .gzip())
        try file.createDataset("labels", values: (0..<4).map(Int64.init), shape: [4])
        try file.setAttribute("format", "ofa-search/test")
        try file.close()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: valid))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        try bytes.prefix(100).write(to: URL(fileURLWithPath: headerOnly))
        try Data("weights: none\n".utf8).write(to: URL(fileURLWithPath: text))
        try Data().write(to: URL(fileURLWithPath: empty))
    }
}

struct ErrorCase: Sendable, CustomTestStringConvertible {
    let id: String
    /// The enum case name the thrown error must have.
    let kind: String
    /// When set, the thrown error must equal this exactly.
    let exactly: (@Sendable (ErrorWorkspace) -> HDF5Error)?
    let action: @Sendable (ErrorWorkspace) throws -> Void

    init(_ id: String, _ kind: String, exactly: (@Sendable (ErrorWorkspace) -> HDF5Error)? = nil,
         _ action: @escaping @Sendable (ErrorWorkspace) throws -> Void) {
        self.id = id
        self.kind = kind
        self.exactly = exactly
        self.action = action
    }

    var testDescription: String { id }
}

@Suite("Errors are typed, one line, and name the file")
struct ErrorTests {
    static let cases: [ErrorCase] = [
        ErrorCase("missing file", "fileNotFound", exactly: { .fileNotFound(path: $0.missing) }) {
            _ = try HDF5File.open($0.missing)
        },
        ErrorCase("truncated file (half)", "truncated") { _ = try HDF5File.open($0.truncated) },
        ErrorCase("truncated file (100 bytes)", "truncated") { _ = try HDF5File.open($0.headerOnly) },
        ErrorCase("text file", "notHDF5", exactly: { .notHDF5(path: $0.text) }) { _ = try HDF5File.open($0.text) },
        ErrorCase("empty file", "notHDF5", exactly: { .notHDF5(path: $0.empty) }) { _ = try HDF5File.open($0.empty) },
        ErrorCase("directory", "cannotOpenFile") { _ = try HDF5File.open($0.directory.url.path) },
        ErrorCase("exclusive create over a file", "fileExists", exactly: { .fileExists(path: $0.valid) }) {
            _ = try HDF5File.create($0.valid, mode: .exclusive)
        },
        ErrorCase("create in a missing folder", "cannotOpenFile") {
            _ = try HDF5File.create($0.directory.path("no/such/dir.h5"))
        },
        ErrorCase("missing dataset", "objectNotFound", exactly: { .objectNotFound(file: $0.valid, path: "/g/nope") }) {
            _ = try HDF5File.open($0.valid).openDataset("g/nope")
        },
        ErrorCase("missing parent group", "objectNotFound", exactly: { .objectNotFound(file: $0.valid, path: "/x/y/w") }) {
            _ = try HDF5File.open($0.valid).openDataset("x/y/w")
        },
        ErrorCase("missing group", "objectNotFound", exactly: { .objectNotFound(file: $0.valid, path: "/x") }) {
            _ = try HDF5File.open($0.valid).openGroup("x")
        },
        ErrorCase("list a missing group", "objectNotFound") { _ = try HDF5File.open($0.valid).children(of: "nope") },
        ErrorCase("group opened as dataset", "wrongObjectKind",
                  exactly: { .wrongObjectKind(file: $0.valid, path: "/g", expected: .dataset, found: .group) }) {
            _ = try HDF5File.open($0.valid).openDataset("g")
        },
        ErrorCase("float32 read as Int64", "typeMismatch") {
            _ = try HDF5File.open($0.valid).openDataset("g/w").read(Int64.self)
        },
        ErrorCase("int64 read as Float", "typeMismatch") {
            _ = try HDF5File.open($0.valid).openDataset("labels").read(Float.self)
        },
        ErrorCase("int64 read as UInt8", "typeMismatch") {
            _ = try HDF5File.open($0.valid).openDataset("labels").read(UInt8.self)
        },
        ErrorCase("Float written to int64", "typeMismatch") {
            try HDF5File.open($0.valid, mode: .readWrite).openDataset("labels").write([Float](repeating: 0, count: 4))
        },
        ErrorCase("Int64 stored as float32", "typeMismatch") {
            try HDF5File.create($0.directory.path("n.h5")).createDataset("x", values: [Int64(1)], shape: [1], storedAs: .float32)
        },
        ErrorCase("shape mismatch", "shapeMismatch",
                  exactly: { .shapeMismatch(file: $0.valid, path: "/g/w", expected: [3, 2], found: [2, 3]) }) {
            _ = try HDF5File.open($0.valid).openDataset("g/w").read(Float.self, expectingShape: [3, 2])
        },
        ErrorCase("count mismatch on create", "countMismatch",
                  exactly: { .countMismatch(file: $0.directory.path("n.h5"), path: "/a/w", expected: 6, found: 5) }) {
            try HDF5File.create($0.directory.path("n.h5")).createDataset("a/w", values: [Float](repeating: 0, count: 5), shape: [2, 3])
        },
        ErrorCase("count mismatch reading into a buffer", "countMismatch") {
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: 5)
            defer { buffer.deallocate() }
            try HDF5File.open($0.valid).openDataset("g/w").read(into: buffer)
        },
        ErrorCase("write to a read-only file", "libraryFailure") {
            try HDF5File.open($0.valid).openDataset("labels").write([Int64](repeating: 0, count: 4))
        },
        ErrorCase("dataset used after close", "closed", exactly: { .closed(file: $0.valid, path: "/g/w") }) {
            let dataset = try HDF5File.open($0.valid).openDataset("g/w")
            try dataset.close()
            _ = try dataset.read(Float.self)
        },
        ErrorCase("file used after close", "closed") {
            let file = try HDF5File.open($0.valid)
            try file.close()
            _ = try file.children()
        },
        ErrorCase("missing attribute", "attributeNotFound") { _ = try HDF5File.open($0.valid).stringAttribute("nope") },
        ErrorCase("wrong format", "formatMismatch") {
            try HDF5File.open($0.valid).requireFormat(HDF5FileFormat(name: "ofa-search/supernet", version: 1))
        },
    ]

    @Test("each failure throws its HDF5Error case", arguments: cases)
    func throwsTypedError(_ errorCase: ErrorCase) throws {
        let workspace = try ErrorWorkspace()
        let error = #expect(throws: HDF5Error.self) { try errorCase.action(workspace) }
        guard let error else { return }
        #expect(Self.caseName(error) == errorCase.kind, "\(error)")
        if let exactly = errorCase.exactly { #expect(error == exactly(workspace)) }
        #expect(error.description.contains(error.file), "\(error.description)")
        #expect(error.file.hasPrefix(workspace.directory.url.path), "\(error.file)")
        #expect(!error.description.contains("\n"))
        #expect(error.localizedDescription == error.description)
    }

    @Test("a truncated file's message says so, names the file and carries libhdf5's reason")
    func truncatedText() throws {
        let workspace = try ErrorWorkspace()
        let error = #expect(throws: HDF5Error.self) { _ = try HDF5File.open(workspace.truncated) }
        let text = error?.description ?? ""
        #expect(text.hasPrefix("HDF5 file is truncated: \(workspace.truncated) ("))
        #expect(text.contains("eof"), "libhdf5's innermost message should be folded in: \(text)")
        #expect(text.hasSuffix("re-create or re-download it"))
    }

    @Test("a read-only write carries libhdf5's innermost message")
    func libraryMessage() throws {
        let workspace = try ErrorWorkspace()
        let dataset = try HDF5File.open(workspace.valid).openDataset("labels")
        let error = #expect(throws: HDF5Error.self) { try dataset.write([Int64](repeating: 0, count: 4)) }
        guard case .libraryFailure(workspace.valid, "/labels", _, let message)? = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(message.contains("no write intent"), "\(message)")
    }

    static func caseName(_ error: HDF5Error) -> String {
        Mirror(reflecting: error).children.first?.label ?? "\(error)"
    }
}
