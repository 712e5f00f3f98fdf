import ArgumentParser
import Datasets
import Foundation

/// `ofa-search datasets list`: the named datasets and where each was found.
struct ListDatasets: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the named datasets, what each is and where it was found (or where it was looked for).")

    @Option(name: .customLong("data-root"), help: "Folder searched first (then $OFA_DATA, then the per-user cache).", completion: .directory)
    var dataRoot: String?

    @Flag(help: "Print JSON on stdout.")
    var json = false

    struct Listing: Encodable {
        struct Dataset: Encodable {
            let name: String, aliases: [String], summary: String
            /// The folder found, or nil.
            let location: String?
            /// Every place looked at, in order.
            let searched: [String]
            let hint: String
        }
        /// Roots in search order.
        let roots: [String]
        let datasets: [Dataset]
    }

    func run() throws {
        try reportingErrors {
            let listing = Listing(
                roots: DatasetRegistry.searchRoots(dataRoot: dataRoot).map(\.path),
                datasets: DatasetRegistry.entries.map { e in
                    Listing.Dataset(name: e.name, aliases: e.aliases, summary: e.summary,
                                    location: DatasetRegistry.locate(e.name, dataRoot: dataRoot)?.path,
                                    searched: DatasetRegistry.candidates(for: e.name, dataRoot: dataRoot).map(\.path), hint: e.hint)
                })
            if json { try FileHandleOutput.json(listing); return }
            print("search order: \(listing.roots.joined(separator: ", "))")
            for d in listing.datasets {
                let names = ([d.name] + d.aliases.map { "alias \($0)" }).joined(separator: ", ")
                print("\(names)\n    \(d.summary)")
                if let location = d.location {
                    print("    found: \(location)")
                } else {
                    print("    not found — \(d.hint)")
                }
            }
            print("Any other name is looked for as <root>/<name>; a path opens class folders, a .csv manifest or CIFAR batches.")
        }
    }
}
