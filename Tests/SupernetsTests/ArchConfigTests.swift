import Foundation
import Supernets
import Testing

/// `ArchConfig`: the JSON dialects of spec §3.11, random sampling, and validation messages.
struct ArchConfigTests {
    static let lite = SearchSpace.effnetLite0Elastic()
    static let spaces: [SearchSpace] = [.effnetLite0Elastic(), .ofaMobileNetV3(widthMult: 1.0), .ofaMobileNetV3(widthMult: 1.2),
                                        .ofaProxylessNAS(widthMult: 1.3), .ofaMobileNetV3(widthMult: 0.2, classes: 10)]

    /// A valid effnet-lite0-elastic architecture: positions 2-3 and 7-13 take kernel 3 or 5, the others 3.
    static let ks = [3, 3, 5, 3, 3, 3, 3, 5, 3, 5, 3, 5, 3, 5, 3]
    static let e = [3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6]
    static let d = [1, 2, 3, 2, 4, 1]
    static let body = #""ks": [3, 3, 5, 3, 3, 3, 3, 5, 3, 5, 3, 5, 3, 5, 3], "e": [3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6], "d": [1, 2, 3, 2, 4, 1]"#

    struct Dialect: CustomTestStringConvertible, Sendable {
        let id: String
        let json: String
        let resolution: Int
        var testDescription: String { id }
    }

    static let dialects: [Dialect] = [
        Dialect(id: "set_active_subnet {ks, e, d}", json: "{\(body)}", resolution: 224),
        Dialect(id: "ofa/nas image_size", json: "{\(body), \"image_size\": 160}", resolution: 160),
        Dialect(id: "tutorial r list", json: "{\(body), \"r\": [160]}", resolution: 160),
        Dialect(id: "r scalar", json: "{\(body), \"r\": 192}", resolution: 192),
        Dialect(id: "wid null ignored", json: "{\"wid\": null, \(body)}", resolution: 224),
        Dialect(id: "wid null with image_size", json: "{\(body), \"wid\": null, \"image_size\": 128}", resolution: 128),
    ]

    @Test(arguments: dialects)
    func parsesEachDialect(_ c: Dialect) throws {
        let a = try ArchConfig.parse(json: c.json, space: Self.lite)
        #expect(a == ArchConfig(ks: Self.ks, e: Self.e, d: Self.d, r: c.resolution))
        try a.validate(in: Self.lite)
    }

    @Test func scalarsAreBroadcastToEveryPosition() throws {
        let m = SearchSpace.ofaMobileNetV3()
        let a = try ArchConfig.parse(json: #"{"ks": 5, "e": 4, "d": 3}"#, space: m)
        #expect(a == ArchConfig(ks: Array(repeating: 5, count: 20), e: Array(repeating: 4, count: 20), d: Array(repeating: 3, count: 5), r: 224))
        try a.validate(in: m)
        // Depth 2 everywhere is clamped to the one-block last stage of effnet-lite0-elastic.
        let b = try ArchConfig.parse(json: #"{"ks": 3, "e": 6, "d": 2, "r": [128]}"#, space: Self.lite)
        #expect(b.ks == Array(repeating: 3, count: 15) && b.e == Array(repeating: 6, count: 15) && b.d == [2, 2, 2, 2, 2, 1] && b.r == 128)
        try b.validate(in: Self.lite)
        // A broadcast kernel the fixed-k3 positions do not allow is caught at the first of them.
        let c = try ArchConfig.parse(json: #"{"ks": 5, "e": 6, "d": 2}"#, space: Self.lite)
        #expect(throws: SupernetError.archOutOfSpace(space: "effnet-lite0-elastic", field: "ks[0]", value: 5, allowed: [3])) {
            try c.validate(in: Self.lite)
        }
    }

    @Test func adaptationGenesRoundTripThroughJSON() throws {
        let lr = Self.ks.indices.map { $0 % 3 == 0 }
        let a = ArchConfig(ks: Self.ks, e: Self.e, d: Self.d, r: 160, method: .liteResidualBias, liteResidual: lr)
        #expect(a.json.hasSuffix(#""lr": [1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0], "method": "lite-residual+bias", "r": [160]}"#))
        #expect(try ArchConfig.parse(json: a.json, space: Self.lite) == a)
        // TinyTL's own method names are read too; a scalar lr is broadcast.
        let b = try ArchConfig.parse(json: "{\(Self.body), \"method\": \"tinytl-bias\", \"lr\": 0}", space: Self.lite)
        #expect(b.method == .bias && b.liteResidual == Array(repeating: false, count: 15))
    }

    @Test func badAdaptationGenesNameTheFieldAndTheAllowedValues() throws {
        #expect(throws: SupernetError.invalidArchJSON(reason: #""method" must be one of full, bn+last, last, bias, lite-residual, lite-residual+bias, got lora"#)) {
            try ArchConfig.parse(json: "{\(Self.body), \"method\": \"lora\"}", space: Self.lite)
        }
        #expect(throws: SupernetError.invalidArchJSON(reason: #""lr" entries must be 0 or 1 (one per block position), got [2]"#)) {
            try ArchConfig.parse(json: "{\(Self.body), \"lr\": [2]}", space: Self.lite)
        }
        let short = try ArchConfig.parse(json: "{\(Self.body), \"lr\": [1, 0, 1]}", space: Self.lite)
        #expect(throws: SupernetError.archLength(space: "effnet-lite0-elastic", field: "lr", count: 3, expected: 15,
                                                 meaning: "one 0 or 1 per block position")) {
            try short.validate(in: Self.lite)
        }
        let error = SupernetError.archLength(space: "effnet-lite0-elastic", field: "lr", count: 3, expected: 15,
                                             meaning: "one 0 or 1 per block position")
        #expect(!error.description.contains("\n"))
    }

    @Test func liteResidualBlocksCountSubnetBlocksFromOne() {
        var a = ArchConfig(ks: Self.ks, e: Self.e, d: Self.d, r: 160, method: .liteResidual)
        let active = a.activeSlots(in: Self.lite)
        #expect(a.liteResidualBlocks(in: Self.lite, method: .liteResidual) == Set(1...active.count))
        #expect(a.liteResidualBlocks(in: Self.lite, method: .bias).isEmpty)
        a.liteResidual = Self.lite.slots.indices.map { $0 == active[2] }
        #expect(a.liteResidualBlocks(in: Self.lite, method: .liteResidual) == [3])
    }

    @Test func jsonIsTheSortedTutorialDialect() {
        let a = ArchConfig(ks: Self.ks, e: Self.e, d: Self.d, r: 160)
        #expect(a.json == #"{"d": [1, 2, 3, 2, 4, 1], "e": [3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4, 6], "ks": [3, 3, 5, 3, 3, 3, 3, 5, 3, 5, 3, 5, 3, 5, 3], "r": [160]}"#)
    }

    @Test(arguments: spaces.map(\.name))
    func roundTripsThroughJSON(_ name: String) throws {
        let space = try #require(Self.spaces.first { $0.name == name })
        for a in [ArchConfig.min(space), .max(space), .min(space, resolution: 128)] + (0..<50).map({ ArchConfig.random(space, seed: $0) }) {
            #expect(try ArchConfig.parse(json: a.json, space: space) == a, "\(a.json)")
        }
    }

    @Test(arguments: spaces.map(\.name))
    func randomIsDeterministicAndAlwaysValid(_ name: String) throws {
        let space = try #require(Self.spaces.first { $0.name == name })
        var distinct = Set<ArchConfig>(), resolutions = Set<Int>()
        for seed in UInt64(0)..<300 {
            let a = ArchConfig.random(space, seed: seed)
            #expect(a == ArchConfig.random(space, seed: seed), "seed \(seed)")
            #expect(throws: Never.self, "seed \(seed): \(a.json)") { try a.validate(in: space) }
            distinct.insert(a); resolutions.insert(a.r)
        }
        #expect(distinct.count >= 295, "only \(distinct.count) distinct architectures in 300 seeds")
        #expect(resolutions.count > 10 && resolutions.isSubset(of: Set(space.resolutions)))
    }

    @Test(arguments: spaces.map(\.name))
    func minAndMaxValidate(_ name: String) throws {
        let space = try #require(Self.spaces.first { $0.name == name })
        try ArchConfig.min(space).validate(in: space)
        try ArchConfig.max(space).validate(in: space)
        try ArchConfig.max(space, resolution: space.resolutionRange.lowerBound).validate(in: space)
        #expect(space.subnetStructure(.min(space)).parameterCount < space.subnetStructure(.max(space)).parameterCount)
    }

    @Test func subnetCountIsPositiveAndFinite() {
        // Per stage, the sum over depths of (kernels × 3 expands)^depth: (3+9)(6+36)(3+9+27)(6+36+216)(6²+6³+6⁴)(3), × 25 resolutions.
        #expect(Self.lite.subnetCount == 588_771_892_800)
        #expect(Self.lite.subnetCount.isFinite && Self.lite.subnetCount > 0)
        let m = SearchSpace.ofaMobileNetV3()
        let perStage: Double = 81 + 729 + 6561  // 9² + 9³ + 9⁴
        let expected = perStage * perStage * perStage * perStage * perStage * 25
        #expect(m.subnetCount.isFinite && abs(m.subnetCount - expected) / expected < 1e-12)
    }

    // MARK: - Validation messages

    struct Invalid: CustomTestStringConvertible, Sendable {
        let id: String
        let config: ArchConfig
        let error: SupernetError
        /// Texts the description must contain: the field and position, the value, the allowed values.
        let mentions: [String]
        var testDescription: String { id }
    }

    static func replacing(_ list: [Int], at index: Int, with value: Int) -> [Int] {
        var copy = list; copy[index] = value; return copy
    }

    static let lname = "effnet-lite0-elastic"
    static let invalid: [Invalid] = [
        Invalid(id: "ks 7 at a 3/5 position", config: ArchConfig(ks: replacing(ks, at: 2, with: 7), e: e, d: d, r: 224),
                error: .archOutOfSpace(space: lname, field: "ks[2]", value: 7, allowed: [3, 5]),
                mentions: ["ks[2] = 7", "effnet-lite0-elastic", "allowed: 3, 5"]),
        Invalid(id: "ks 5 at a 3-only position", config: ArchConfig(ks: replacing(ks, at: 14, with: 5), e: e, d: d, r: 224),
                error: .archOutOfSpace(space: lname, field: "ks[14]", value: 5, allowed: [3]), mentions: ["ks[14] = 5", "allowed: 3"]),
        Invalid(id: "expand 5", config: ArchConfig(ks: ks, e: replacing(e, at: 4, with: 5), d: d, r: 224),
                error: .archOutOfSpace(space: lname, field: "e[4]", value: 5, allowed: [3, 4, 6]), mentions: ["e[4] = 5", "allowed: 3, 4, 6"]),
        Invalid(id: "depth 1 in a 2/3/4 stage", config: ArchConfig(ks: ks, e: e, d: replacing(d, at: 4, with: 1), r: 224),
                error: .archOutOfSpace(space: lname, field: "d[4]", value: 1, allowed: [2, 3, 4]), mentions: ["d[4] = 1", "allowed: 2, 3, 4"]),
        Invalid(id: "depth 0", config: ArchConfig(ks: ks, e: e, d: replacing(d, at: 0, with: 0), r: 224),
                error: .archOutOfSpace(space: lname, field: "d[0]", value: 0, allowed: [1, 2]), mentions: ["d[0] = 0", "allowed: 1, 2"]),
        Invalid(id: "14 ks entries", config: ArchConfig(ks: Array(ks.dropLast()), e: e, d: d, r: 224),
                error: .archLength(space: lname, field: "ks", count: 14, expected: 15, meaning: "one per block position"),
                mentions: ["14 ks entries", "needs 15 (one per block position)"]),
        Invalid(id: "16 e entries", config: ArchConfig(ks: ks, e: e + [3], d: d, r: 224),
                error: .archLength(space: lname, field: "e", count: 16, expected: 15, meaning: "one per block position"),
                mentions: ["16 e entries", "needs 15"]),
        Invalid(id: "5 d entries", config: ArchConfig(ks: ks, e: e, d: Array(d.dropLast()), r: 224),
                error: .archLength(space: lname, field: "d", count: 5, expected: 6, meaning: "one per stage"),
                mentions: ["5 d entries", "needs 6 (one per stage)"]),
        Invalid(id: "resolution 130", config: ArchConfig(ks: ks, e: e, d: d, r: 130),
                error: .resolution(space: lname, value: 130, range: 128...224, step: 4), mentions: ["resolution 130", "128…224 in steps of 4"]),
        Invalid(id: "resolution 300", config: ArchConfig(ks: ks, e: e, d: d, r: 300),
                error: .resolution(space: lname, value: 300, range: 128...224, step: 4), mentions: ["resolution 300", "128…224"]),
    ]

    @Test(arguments: invalid)
    func validationNamesFieldPositionAndAllowedValues(_ c: Invalid) {
        #expect(throws: c.error) { try c.config.validate(in: Self.lite) }
        let text = c.error.description
        for m in c.mentions { #expect(text.contains(m), "\(text)") }
        #expect(!text.contains("\n"))
    }

    @Test func resolutionCheckCanBeSkipped() throws {
        try ArchConfig(ks: Self.ks, e: Self.e, d: Self.d, r: 130).validate(in: Self.lite, checkResolution: false)
    }

    @Test func mobileNetMessagesNameTheWidth() {
        let m = SearchSpace.ofaMobileNetV3(widthMult: 1.2)
        var a = ArchConfig.max(m); a.ks[19] = 9
        #expect(throws: SupernetError.archOutOfSpace(space: "ofa-mbv3 w1.2", field: "ks[19]", value: 9, allowed: [3, 5, 7])) {
            try a.validate(in: m)
        }
    }

    // MARK: - Malformed JSON

    @Test(arguments: [
        ("not JSON", "{ks: 3}", "not a JSON object"),
        ("a list", "[1, 2]", "not a JSON object"),
        ("empty", "", "not a JSON object"),
        ("missing e", #"{"ks": 3, "d": 2}"#, #"missing "e""#),
        ("missing d", #"{"ks": 3, "e": 3}"#, #"missing "d""#),
        ("string kernel", #"{"ks": "3", "e": 3, "d": 2}"#, #""ks" must be an integer or a list of integers"#),
        ("string in list", #"{"ks": [3, "5"], "e": 3, "d": 2}"#, #""ks" must be an integer or a list of integers"#),
        ("fractional expand", #"{"ks": 3, "e": 3.5, "d": 2}"#, #""e" must be an integer or a list of integers"#),
        ("two resolutions", #"{"ks": 3, "e": 3, "d": 2, "r": [160, 192]}"#, #""r" must be an integer or a one-element list"#),
        ("string resolution", #"{"ks": 3, "e": 3, "d": 2, "image_size": "160"}"#, #""r" must be an integer or a one-element list"#),
    ])
    func malformedJSONIsRejected(_ id: String, _ json: String, _ reason: String) {
        do {
            let a = try ArchConfig.parse(json: json, space: Self.lite)
            Issue.record("\(id): parsed as \(a.json)")
        } catch let error as SupernetError {
            guard case let .invalidArchJSON(got) = error else { Issue.record("\(id): \(error)"); return }
            #expect(got.contains(reason), "\(id): \(got)")
            #expect(error.description.hasPrefix("invalid architecture JSON: "))
        } catch {
            Issue.record("\(id): unexpected \(error)")
        }
    }
}
