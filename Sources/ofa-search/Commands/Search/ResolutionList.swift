import Foundation
import ArgumentParser

/// `--resolutions`: a comma list (`128,160,224`) and/or ranges with a step (`128-224:16`), sorted and unique.
struct ResolutionList: ExpressibleByArgument {
    var values: [Int]

    init?(argument: String) {
        var out = Set<Int>()
        for part in argument.split(separator: ",") {
            let piece = part.trimmingCharacters(in: .whitespaces)
            if let dash = piece.firstIndex(of: "-") {
                let head = piece[..<dash], tail = piece[piece.index(after: dash)...]
                let bounds = tail.split(separator: ":")
                guard let lo = Int(head), let hi = Int(bounds[0]), lo <= hi, bounds.count <= 2 else { return nil }
                let step = bounds.count == 2 ? Int(bounds[1]) ?? 0 : 4
                guard step > 0 else { return nil }
                out.formUnion(stride(from: lo, through: hi, by: step))
            } else {
                guard let n = Int(piece) else { return nil }
                out.insert(n)
            }
        }
        guard !out.isEmpty else { return nil }
        values = out.sorted()
    }

    var defaultValueDescription: String { values.map(String.init).joined(separator: ",") }
}
