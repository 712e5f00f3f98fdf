import Foundation

/// Where commands find the shipped default supernet when `--supernet` is not given.
enum DefaultSupernet {
    static let fileName = "effnet-lite0-elastic.h5"

    /// `$OFA_SUPERNET`, else `Supernets/effnet-lite0-elastic.h5` under the working directory, else beside the
    /// checkout the executable was built in (`<repo>/.build/<config>/ofa-search`).
    static func url() throws -> URL {
        if let path = ProcessInfo.processInfo.environment["OFA_SUPERNET"] { return URL(fileURLWithPath: path) }
        var candidates = [URL(fileURLWithPath: "Supernets/\(fileName)")]
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(executable.deletingLastPathComponent().appendingPathComponent("../../../Supernets/\(fileName)").standardized)
        candidates.append(executable.deletingLastPathComponent().appendingPathComponent("../../Supernets/\(fileName)").standardized)
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw NotFound(looked: candidates.map(\.path))
        }
        return found
    }

    struct NotFound: Error, CustomStringConvertible {
        let looked: [String]
        var description: String {
            "no --supernet given and the shipped \(fileName) is not at \(looked.joined(separator: " or ")) — pass --supernet <file.h5> or set OFA_SUPERNET"
        }
    }
}
