import ArgumentParser

/// A flag renamed so that every command spells the same thing the same way (`--dataset`, `--mem`, `--output`,
/// `--split-ratios`). The old spelling still parses for one release, hidden from help, with a note on stderr.
enum RenamedFlag {
    /// The value given under `new` or under its old name `old`; both at once is an error.
    static func merge<T>(_ new: T?, _ old: T?, new newName: String, old oldName: String) throws -> T? {
        guard let old else { return new }
        guard new == nil else { throw ValidationError("give \(newName) only — \(oldName) is its old name") }
        printError("note: \(oldName) is now \(newName); the old name goes in the next release")
        return old
    }
}
