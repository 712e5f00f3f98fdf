import ArgumentParser

/// `ofa-search supernet`: import, inspect and sample supernets.
struct SupernetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "supernet",
        abstract: "Import, inspect and sample once-for-all supernets stored in HDF5.",
        subcommands: [ImportSupernet.self, InspectSupernet.self, SampleSubnet.self])
}
