import Foundation

/// A candidate's architecture in OFA's dict form: `{"ks": [...], "e": [...], "d": [...], "r": [R]}`, with the
/// adaptation genes `"method"` and `"lr"` when the search chose them.
///
/// `ks` (kernel size) and `e` (expand ratio) hold one entry per block slot, `d` (depth) one per stage, `r`
/// the input resolution in pixels. Stage `s` owns the next `stageSlotCounts[s]` slots; only its first `d[s]`
/// are active, the rest carry values the network ignores. `method` is the TinyTL method's name and `lr` one
/// 0/1 per slot: whether that block has a lite residual branch.
public struct Architecture: Equatable, Sendable, Codable {
    public var ks: [Int]
    public var e: [Double]
    public var d: [Int]
    public var r: [Int]
    public var method: String?
    public var lr: [Int]?

    public init(ks: [Int], e: [Double], d: [Int], r: [Int], method: String? = nil, lr: [Int]? = nil) {
        self.ks = ks
        self.e = e
        self.d = d
        self.r = r
        self.method = method
        self.lr = lr
    }

    enum CodingKeys: String, CodingKey { case ks, e, d, r, method, lr }

    /// Decodes the object, or (summaries before 0.3) a string holding it.
    public init(from decoder: Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            self = try JSONDecoder().decode(Architecture.self, from: Data(text.utf8))
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(ks: try c.decode([Int].self, forKey: .ks), e: try c.decode([Double].self, forKey: .e),
                  d: try c.decode([Int].self, forKey: .d), r: try c.decode([Int].self, forKey: .r),
                  method: try c.decodeIfPresent(String.self, forKey: .method),
                  lr: try c.decodeIfPresent([Int].self, forKey: .lr))
    }

    /// Method names in the order of the method gene's values (`TransferMethod.allCases`' names).
    public static let methodOrder = ["full", "bn+last", "last", "bias", "lite-residual", "lite-residual+bias"]

    /// Decodes `arch_json`; `column` names the column and row for the error.
    static func parse(_ text: String, path: String, column: String) throws -> Architecture {
        do {
            return try JSONDecoder().decode(Architecture.self, from: Data(text.utf8))
        } catch {
            throw HistoryError.invalidJSON(path: path, column: column, reason: JSONErrors.reason(error))
        }
    }

    /// The active genes: resolution, the method (its index in `methodOrder`), each stage's depth, and kernel,
    /// expand and lite residual (1 on, 0 off; only under a lite-residual method) of each active slot.
    ///
    /// - Precondition: `stageSlotCounts` sums to the number of slots (checked when the run is loaded).
    public func genes(stageSlotCounts: [Int]) -> [Gene: Double] {
        var genes: [Gene: Double] = [:]
        if let resolution = r.first { genes[Gene(kind: .resolution)] = Double(resolution) }
        if let method, let index = Self.methodOrder.firstIndex(of: method) { genes[Gene(kind: .method)] = Double(index) }
        var slot = 0
        for (stage, slots) in stageSlotCounts.enumerated() {
            let depth = stage < d.count ? d[stage] : slots
            genes[Gene(kind: .depth, stage: stage + 1)] = Double(depth)
            for block in 0..<min(depth, slots) where slot + block < ks.count {
                genes[Gene(kind: .kernel, stage: stage + 1, block: block + 1)] = Double(ks[slot + block])
                genes[Gene(kind: .expand, stage: stage + 1, block: block + 1)] = e[slot + block]
                if let lr, slot + block < lr.count {
                    genes[Gene(kind: .liteResidual, stage: stage + 1, block: block + 1)] = Double(lr[slot + block])
                }
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

/// One searchable choice of an architecture: the resolution, the method, a stage's depth, or a slot's kernel,
/// expand ratio or lite residual.
///
/// Stages and blocks are numbered from 1, as they are shown to users.
public struct Gene: Hashable, Comparable, Sendable, Encodable {
    public enum Kind: String, Sendable, Encodable, CaseIterable {
        case resolution, method, depth, kernel, expand, liteResidual = "lite residual"
    }
    public let kind: Kind
    /// 1-based stage; nil for the resolution and the method.
    public let stage: Int?
    /// 1-based block within the stage, for kernel, expand and lite residual; nil otherwise.
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

    /// Resolution and method first, then by stage, depth before the stage's blocks, kernel before expand before
    /// lite residual.
    public static func < (a: Gene, b: Gene) -> Bool {
        func key(_ g: Gene) -> [Int] {
            [g.stage ?? 0, g.block ?? 0, Kind.allCases.firstIndex(of: g.kind) ?? 0]
        }
        return key(a).lexicographicallyPrecedes(key(b))
    }

    /// A gene value as it is written: kernel, depth and resolution as integers, expand ratios as given (3, 4.5),
    /// the method by name, a lite residual as on or off.
    public static func format(_ value: Double, kind: Kind) -> String {
        switch kind {
        case .method:
            let i = Int(value)
            return Architecture.methodOrder.indices.contains(i) ? Architecture.methodOrder[i] : String(i)
        case .liteResidual: return value == 0 ? "off" : "on"
        default: return value == value.rounded() ? String(Int(value)) : String(value)
        }
    }
}
