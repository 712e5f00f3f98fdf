import Foundation
import Networks
import Supernets
import Tensors

extension TrainingGraph {
    /// The network exactly as the trainer computes it, by graph parameter name in PyTorch layouts: the
    /// *engine form* of an `ofa-search/trained-subnet` file (`parameter_form` = `engine`).
    ///
    /// Unlike `exportedStateDict(trained:subnet:)`, nothing is unfolded: a frozen batch norm folded into its conv
    /// appears only as `<conv>.weight` = w·γ/√(var + eps) and `<bn>.bias` = β − mean·γ/√(var + eps), and 8-bit
    /// weights keep their codebook and indices (`ExportedTensor.quantized`, indices permuted to the PyTorch
    /// layout). Reading it back (`TrainedSubnetFile.graph()`) therefore gives bit-identical outputs.
    /// - Parameter stored: each parameter's storage (`Trainer.storedParameter(_:)`).
    public func engineFormTensors(_ stored: (String) -> StoredParameter) -> [ExportedTensor] {
        let layouts = torchLayouts()
        return parameters.enumerated().map { p, parameter in
            let layout = layouts[p]
            switch stored(parameter.name) {
            case .float32(let values):
                return ExportedTensor(name: parameter.name, shape: layout.shape, values: layout.toTorch(values))
            case .quantized(let q):
                let order = layout.torchOrder(count: q.count)
                let torch = try! QuantizedTensor(codebook: q.codebook, indices: order.map { q.indices[$0] }, shape: layout.shape)
                return ExportedTensor(name: parameter.name, shape: layout.shape, values: torch.dequantized(), quantized: torch)
            }
        }
    }

    /// Sets every parameter from engine-form tensors (by graph name, PyTorch layouts); 8-bit ones become their
    /// dequantised float32 values (the same numbers the trainer expanded them to).
    /// - Throws: `TrainedSubnetFileError` naming a missing tensor or a size mismatch.
    mutating func loadEngineForm(_ tensors: [String: ExportedTensor]) throws {
        let layouts = torchLayouts()
        for p in parameters.indices {
            let name = parameters[p].name
            guard let t = tensors[name] else { throw TrainedSubnetFileError(reason: "missing tensor \(name)") }
            guard t.values.count == parameters[p].count else {
                throw TrainedSubnetFileError(reason: "\(name) holds \(t.values.count) values, the network needs \(parameters[p].count)")
            }
            parameters[p].values = layouts[p].fromTorch(t.values)
        }
    }
}
