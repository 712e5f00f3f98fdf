import Datasets
import Foundation
import Testing

/// `holdingOut(fraction:classes:seed:)`, the validation split the search and `train --holdout` share.
struct HoldoutTests {
    /// 10 images of class 0, 5 of class 1, 1 of class 2, in a mixed order.
    static let samples: [Sample] = [0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 2, 0, 1, 0].enumerated().map { i, label in
        Sample(source: .file(URL(fileURLWithPath: "/data/\(i).jpg")), label: label)
    }

    @Test func holdsOutAFractionOfEachClassAndNeverAWholeOne() {
        let (kept, held) = Self.samples.holdingOut(fraction: 0.2, classes: 3, seed: 7)
        #expect(held.filter { $0.label == 0 }.count == 2 && held.filter { $0.label == 1 }.count == 1)
        #expect(!held.contains { $0.label == 2 }, "a class of one image stays in training")
        #expect(Set(kept.map(\.source.name)).union(held.map(\.source.name)) == Set(Self.samples.map(\.source.name)))
        #expect(kept.count + held.count == Self.samples.count)
        let order = Self.samples.map(\.source.name)
        #expect(kept.map { order.firstIndex(of: $0.source.name)! } == kept.map { order.firstIndex(of: $0.source.name)! }.sorted())
        // At least one image of a class with two or more, however small the fraction; never all of it.
        let tiny = Self.samples.holdingOut(fraction: 0.01, classes: 3, seed: 7).held
        #expect(tiny.filter { $0.label == 0 }.count == 1 && tiny.filter { $0.label == 1 }.count == 1)
        let most = Self.samples.holdingOut(fraction: 0.99, classes: 3, seed: 7).held
        #expect(most.filter { $0.label == 0 }.count == 9 && most.filter { $0.label == 1 }.count == 4)
    }

    @Test func theSeedDecidesWhichImages() {
        let a = Self.samples.holdingOut(fraction: 0.3, classes: 3, seed: 1)
        #expect(a.held == Self.samples.holdingOut(fraction: 0.3, classes: 3, seed: 1).held)
        let others = (2..<10).map { Self.samples.holdingOut(fraction: 0.3, classes: 3, seed: UInt64($0)).held }
        #expect(others.contains { $0 != a.held })
    }
}
