import Foundation

extension ArchConfig {
    /// Parses OFA's dict form in any of its dialects (spec §3.11): `{"ks", "e", "d"}` as `set_active_subnet`
    /// takes it, plus the resolution as `"r": [res]` (tutorial), `"r": res` or `"image_size": res` (`ofa/nas`).
    /// A scalar ks/e/d is broadcast to every position, as `set_active_subnet` does; a depth larger than a
    /// stage's block count is clamped to it (the reference's `min(len(group), d)`), so a full-depth `d` is
    /// accepted for OFA-Proxyless's one-block last stage. Without a resolution, `defaultResolution` is used.
    /// Our adaptation genes are optional: `"method"` (a TinyTL method's name: last, bias, lite-residual,
    /// lite-residual+bias, full, bn+last, or TinyTL's `tinytl-…` names) and `"lr"` (one 0 or 1 per block
    /// position: whether it gets a lite residual branch; a scalar is broadcast).
    /// - Throws: `SupernetError.invalidArchJSON` for malformed JSON; validate the result with `validate(in:)`.
    public static func parse(json: String, space: SearchSpace) throws -> ArchConfig {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)), let dict = object as? [String: Any] else {
            throw SupernetError.invalidArchJSON(reason: "not a JSON object: \(json.prefix(60))")
        }
        func list(_ key: String, count: Int) throws -> [Int] {
            guard let value = dict[key] else { throw SupernetError.invalidArchJSON(reason: "missing \"\(key)\"") }
            if let n = value as? Int { return Array(repeating: n, count: count) }
            guard let array = value as? [Any], let ints = array.map({ $0 as? Int }) as? [Int] else {
                throw SupernetError.invalidArchJSON(reason: "\"\(key)\" must be an integer or a list of integers")
            }
            return ints
        }
        let ks = try list("ks", count: space.slots.count), e = try list("e", count: space.slots.count)
        var d = try list("d", count: space.stages.count)
        for (s, stage) in space.stages.enumerated() where s < d.count { d[s] = Swift.min(d[s], stage.slots.count) }
        var r = space.defaultResolution
        if let value = dict["r"] ?? dict["image_size"] {
            if let n = value as? Int { r = n } else if let a = value as? [Any], a.count == 1, let n = a[0] as? Int { r = n } else {
                throw SupernetError.invalidArchJSON(reason: "\"r\" must be an integer or a one-element list")
            }
        }
        var method: TransferMethod?
        if let value = dict["method"] {
            guard let name = value as? String, let m = TransferMethod(named: name) else {
                throw SupernetError.invalidArchJSON(reason: "\"method\" must be one of "
                    + TransferMethod.allCases.map(\.name).joined(separator: ", ") + ", got \(value)")
            }
            method = m
        }
        var liteResidual: [Bool]?
        if dict["lr"] != nil {
            let flags = try list("lr", count: space.slots.count)
            guard flags.allSatisfy({ $0 == 0 || $0 == 1 }) else {
                throw SupernetError.invalidArchJSON(reason: "\"lr\" entries must be 0 or 1 (one per block position), got \(flags)")
            }
            liteResidual = flags.map { $0 == 1 }
        }
        return ArchConfig(ks: ks, e: e, d: d, r: r, method: method, liteResidual: liteResidual)
    }

    /// The tutorial dialect with keys sorted: `{"d": [...], "e": [...], "ks": [...], "r": [res]}`, with
    /// `"lr": [0/1 ...]` and `"method": "<name>"` in their sorted places when set.
    public var json: String {
        func ints(_ a: [Int]) -> String { "[" + a.map(String.init).joined(separator: ", ") + "]" }
        var text = "{\"d\": \(ints(d)), \"e\": \(ints(e)), \"ks\": \(ints(ks))"
        if let liteResidual { text += ", \"lr\": \(ints(liteResidual.map { $0 ? 1 : 0 }))" }
        if let method { text += ", \"method\": \"\(method.name)\"" }
        return text + ", \"r\": [\(r)]}"
    }
}
