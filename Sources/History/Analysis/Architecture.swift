import Foundation

/// A candidate's architecture in OFA's dict form: `{"ks": [...], "e": [...], "d": [...], "r": [R]}`.
///
/// `ks` (kernel size) and `e` (expand ratio) hold one entry per block slot, `d` (depth) one per stage, `r`
/// the input resolution in pixels. Stage `s` owns the next `stageSlotCounts[s]` slots; only its first `d[s]`
/// are active, the rest carry values the network ignores.
public struct Architecture: Equatable, Sendable, Codable {
    public var ks: [Int]
    public var e: [Double]
    public var d: [Int]
    public var r: [Int]

    public init(ks: [Int], e: [Double], d: [Int], r: [Int]) {
        self.ks = ks
        self.e = e
        self.d = d
        self.r = r
    }

    /// Decodes `arch_json`; `column` names the column and row for the error.
    static func parse(_ text: String, path: String, column: String) throws -> Architecture {
        do {
            return try JSONDecoder().decode(Architecture.self, from: Data(text.utf8))
        } catch {
            throw HistoryError.invalidJSON(path: path, column: column, reason: JSONErrors.reason(error))
        }
    }

    /// The active genes: resolution, each stage's depth, and kernel and expand of each active slot.
    ///
    /// - Precondition: `stageSlotCounts` sums to the number of slots (checked when the run is loaded).
    public func genes(stageSlotCounts: [Int]) -> [Gene: Double] {
        var genes: [Gene: Double] = [:]
        if let resolution = r.first { genes[Gene(kind: .resolution)] = Double(resolution) }
        var slot = 0
        for (stage, slots) in stageSlotCounts.enumerated() {
            let depth = stage < d.count ? d[stage] : slots
            genes[Gene(kind: .depth, stage: stage + 1)] = Double(depth)
            for block in 0..<min(depth, slots) where slot + block < ks.count {
                genes[Gene(kind: .kernel, stage: stage + 1, block: block + 1)] = Double(ks[slot + block])
                genes[Gene(kind: .expand, stage: stage + 1, block: block + 1)] = e[slot + block]
            }
            slot += slots
        }
        return genes
    }

    /// Compact JSON text, keys sorted (`{"d":[...],"e":[...],"ks":[...],"r":[...]}`).
    public var jsonText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"  // arrays of numbers always encode
    }
}

/// One searchable choice of an architecture: the resolution, a stage's depth, or a slot's kernel or expand ratio.
///
/// Stages and blocks are numbered from 1, as they are shown to users.
public struct Gene: Hashable, Comparable, Sendable, Encodable {
    public enum Kind: String, Sendable, Encodable, CaseIterable { case resolution, depth, kernel, expand }
    public let kind: Kind
    /// 1-based stage; nil for the resolution.
    public let stage: Int?
    /// 1-based block within the stage, for kernel and expand; nil otherwise.
    public let block: Int?

    public init(kind: Kind, stage: Int? = nil, block: Int? = nil) {
        self.kind = kind
        self.stage = stage
        self.block = block
    }

    /// "resolution", "stage 2 depth", "stage 2 block 3 kernel".
    public var name: String {
        switch (stage, block) {
        case let (s?, b?): return "stage \(s) block \(b) \(kind.rawValue)"
        case let (s?, nil): return "stage \(s) \(kind.rawValue)"
        default: return kind.rawValue
        }
    }

    /// Resolution first, then by stage, depth before the stage's blocks, kernel before expand.
    public static func < (a: Gene, b: Gene) -> Bool {
        func key(_ g: Gene) -> [Int] {
            [g.stage ?? 0, g.block ?? 0, Kind.allCases.firstIndex(of: g.kind) ?? 0]
        }
        return key(a).lexicographicallyPrecedes(key(b))
    }

    /// A gene value as it is written: kernel, depth and resolution as integers, expand ratios as given (3, 4.5).
    public static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
