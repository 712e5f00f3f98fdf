import Tensors

extension TrainingGraph {
    /// Overwrites every parameter from a PyTorch `state_dict` (values in PyTorch layouts, by PyTorch name), keeping
    /// the graph's structure and trainable set; folded batch norms are refolded from the raw conv weight and γ, β,
    /// running statistics. Returns the state-dict keys it did not read (`num_batches_tracked` excluded).
    ///
    /// Concretely, per parameter by role: `weight` of a conv → (O,kh,kw,I/g), of a depthwise → (kh,kw,C), of a
    /// linear or squeeze-excite conv → as stored; `foldedWeight` / `foldedNormBias` of a conv op → `foldBatchNorm`
    /// of `<conv>.weight` with the batch norm whose β is the op's bias parameter (`<bn>.bias`); everything else
    /// (γ, β, running statistics, biases) copied. Used to start from exactly a reference network (parity tests,
    /// importing a TinyTL checkpoint).
    /// - Precondition: `stateDict` holds every tensor the graph names, with matching element counts.
    @discardableResult
    public mutating func load(stateDict: [String: [Float]]) -> [String] {
        var read = Set<String>()
        func tensor(_ name: String, count: Int) -> [Float] {
            guard let t = stateDict[name] else { preconditionFailure("state dict has no tensor \(name)") }
            precondition(t.count == count, "\(name): \(t.count) values, the graph expects \(count)")
            read.insert(name)
            return t
        }
        func bnPrefix(_ bias: Int?) -> String {
            guard let bias, parameters[bias].role == .foldedNormBias else { preconditionFailure("folded weight without folded bias") }
            return String(parameters[bias].name.dropLast(".bias".count))
        }
        func refold(weight: Int, bias: Int?, channels: Int, channelLast: Bool, engineWeight: ([Float]) -> [Float]) {
            let bn = bnPrefix(bias), w = parameters[weight]
            let f = foldBatchNorm(weight: engineWeight(tensor(w.name, count: w.count)), bias: nil, outChannels: channels,
                                  channelLast: channelLast, gamma: tensor("\(bn).weight", count: channels),
                                  beta: tensor("\(bn).bias", count: channels), mean: tensor("\(bn).running_mean", count: channels),
                                  variance: tensor("\(bn).running_var", count: channels), eps: Double(batchNormEps))
            parameters[weight].values = f.weight
            parameters[bias!].values = f.bias
        }
        var done = Set<Int>()
        for op in ops {
            switch op.kind {
            case .conv(let c):
                let convert = { (t: [Float]) in
                    WeightLayout.convFromTorch(t, outChannels: c.outChannels, inPerGroup: c.inChannels / c.groups, kernel: c.kernel)
                }
                if parameters[c.weight].role == .foldedWeight {
                    refold(weight: c.weight, bias: c.bias, channels: c.outChannels, channelLast: false, engineWeight: convert)
                    done.formUnion([c.weight, c.bias!])
                } else {
                    parameters[c.weight].values = convert(tensor(parameters[c.weight].name, count: parameters[c.weight].count))
                    done.insert(c.weight)
                }
            case .depthwise(let d):
                let convert = { (t: [Float]) in WeightLayout.depthwiseFromTorch(t, channels: d.channels, kernel: d.kernel) }
                if parameters[d.weight].role == .foldedWeight {
                    refold(weight: d.weight, bias: d.bias, channels: d.channels, channelLast: true, engineWeight: convert)
                    done.formUnion([d.weight, d.bias!])
                } else {
                    parameters[d.weight].values = convert(tensor(parameters[d.weight].name, count: parameters[d.weight].count))
                    done.insert(d.weight)
                }
            default: break
            }
        }
        for p in parameters.indices where !done.contains(p) {
            precondition(parameters[p].role != .foldedWeight && parameters[p].role != .foldedNormBias,
                         "\(parameters[p].name): folded parameter outside a conv")
            parameters[p].values = tensor(parameters[p].name, count: parameters[p].count)
        }
        return stateDict.keys.filter { !read.contains($0) && !$0.hasSuffix("num_batches_tracked") }.sorted()
    }
}
