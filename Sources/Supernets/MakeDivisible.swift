/// OFA's channel rounding (`ofa/utils/pytorch_modules.py::make_divisible`).
///
/// Concretely: new = max(minValue, ⌊v + divisor/2⌋ // divisor · divisor); if new < 0.9·v, new += divisor.
/// `minValue` defaults to `divisor`. Not banker's rounding and not `round()`: 19.2 → 24, 18 → 24, 41.6 → 40.
public func makeDivisible(_ v: Double, divisor: Int = 8, minValue: Int? = nil) -> Int {
    let floor = Int(v + Double(divisor) / 2) / divisor * divisor
    var new = max(minValue ?? divisor, floor)
    if Double(new) < 0.9 * v { new += divisor }
    return new
}

/// Python 3 `round()` of a non-negative value: half to even (matters only for products ending in .5).
func pythonRound(_ v: Double) -> Int {
    Int(v.rounded(.toNearestOrEven))
}
