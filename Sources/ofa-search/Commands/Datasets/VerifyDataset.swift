import ArgumentParser
import Datasets
import Foundation

/// `ofa-search datasets verify`: decode every image and report the ones that fail.
struct VerifyDataset: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Decode every image of a dataset and report corrupt ones (exit 1 when there are any).",
        discussion: """
            Progress goes to stderr. The report (count and the first 5 corrupt images) goes to stdout; \
            with --strict any corrupt image is instead one error line on stderr.
            """)

    @OptionGroup var data: DatasetArguments

    @Flag(help: "Treat a corrupt image as an error (one line on stderr) instead of a report.")
    var strict = false

    @Flag(help: "Print JSON on stdout.")
    var json = false

    struct Report: Encodable {
        struct Corrupt: Encodable { let path: String, reason: String }
        let name: String
        let images: Int
        let corrupt: Int
        /// The first 5 corrupt images, in split (train, valid, test) and sample order.
        let firstCorrupt: [Corrupt]
    }

    func run() throws {
        try reportingErrors {
            let dataset = try data.open()
            let samples = dataset.presentSplits.flatMap { dataset[$0] }
            let progress = ProgressLine("verify: decoded")
            let scan = ImageScan(samples) { done, total in progress.update(done, of: total) }
            let first = scan.failures.prefix(5)
            if strict && !scan.failures.isEmpty {
                throw DatasetError.corruptImages(count: scan.failures.count, total: scan.count, first: first.map(\.source))
            }
            let report = Report(name: dataset.name, images: scan.count, corrupt: scan.failures.count,
                                firstCorrupt: first.map { .init(path: $0.source, reason: $0.reason) })
            if json {
                try FileHandleOutput.json(report)
            } else if report.corrupt == 0 {
                print("\(report.name): all \(report.images) images decode")
            } else {
                print("\(report.name): \(report.corrupt) of \(report.images) images could not be decoded\(report.corrupt > 5 ? "; the first 5" : ""):")
                for c in report.firstCorrupt { print("  \(c.reason)") }
            }
            if report.corrupt > 0 { throw ExitCode.failure }
        }
    }
}
