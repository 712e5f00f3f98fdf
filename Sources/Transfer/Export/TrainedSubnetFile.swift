import Foundation
import HDF5
import Supernets

/// A network trained by `ofa-search train`, as written to an `ofa-search/trained-subnet` v1 file
/// (Supernets/FORMAT.md): the PyTorch state dict of the TinyTL model plus what it is and how it was trained.
public struct TrainedSubnetFile: Sendable {
    public static let format = HDF5FileFormat(name: "ofa-search/trained-subnet", version: 1)

    /// Top-1/top-5 on the evaluation split and the last epoch's training figures.
    public struct Metrics: Codable, Sendable, Equatable {
        public var evalSplit: String
        public var evalImages: Int
        public var evalTop1: Double, evalTop5: Double, evalLoss: Double
        public var trainLoss: Double, trainTop1: Double
        public var epochs: Int

        public init(evalSplit: String, evalImages: Int, evalTop1: Double, evalTop5: Double, evalLoss: Double,
                    trainLoss: Double, trainTop1: Double, epochs: Int) {
            self.evalSplit = evalSplit; self.evalImages = evalImages; self.evalTop1 = evalTop1; self.evalTop5 = evalTop5
            self.evalLoss = evalLoss; self.trainLoss = trainLoss; self.trainTop1 = trainTop1; self.epochs = epochs
        }

        enum CodingKeys: String, CodingKey {
            case evalSplit = "eval_split", evalImages = "eval_images", evalTop1 = "eval_top1", evalTop5 = "eval_top5"
            case evalLoss = "eval_loss", trainLoss = "train_loss", trainTop1 = "train_top1", epochs
        }
    }

    public var tensors: [ExportedTensor]
    public var family: String
    /// OFA `net.config` of the backbone subnet (before the lite residuals and the new classifier).
    public var netConfig: String
    public var arch: String?
    /// The TinyTL method's reference name (`tinytl-lite_residual+bias`, …).
    public var method: String
    public var classNames: [String]
    public var resolution: Int
    public var mean: [Float], std: [Float]
    /// JSON: the lite residual rule and each branch (empty object for methods without lite residuals).
    public var liteResidual: String
    /// JSON: the plan's ledger at the peak, bytes by category, plus batch and arena.
    public var ledger: String
    public var peakBytes: Int
    public var metrics: Metrics
    /// JSON: optimiser, learning rate, batch, epochs, label smoothing, splits, … (free form, for people).
    public var training: String
    public var seed: UInt64
    public var supernetSHA256: String?
    /// The search space's width multiplier (with `family` and `arch`, what rebuilds the network).
    public var widthMult: Double
    /// JSON: the memory certificate of a search's winner — budget, scope, planned peak and ledger, the measured
    /// peak growth of the process during the final training, batch, resolution (nil for `ofa-search train`).
    public var memoryCertificate: String?
    /// JSON: where the network came from — dataset name and fingerprint, tool version, date, run directory.
    public var provenance: String?
    /// How `tensors` hold the network: `state_dict` (PyTorch's, batch norms unfolded, float32; `exportedStateDict`)
    /// or `engine` (as the trainer computes: folded batch norms, 8-bit frozen weights; `engineFormTensors`).
    public var parameterForm: String = "state_dict"
    /// How the network normalises (`NormMode.name`): `frozen-bn` (batch norms with frozen statistics) or `gn`
    /// (TinyTL's GroupNorm with 8 channels per group and weight-standardised convs; the state dict then has GroupNorm
    /// γ and β under the batch norms' names and no running statistics).
    public var normMode: String = NormMode.frozenBatchNorm.name

    public init(tensors: [ExportedTensor], family: String, netConfig: String, arch: String?, method: String, classNames: [String],
                resolution: Int, mean: [Float], std: [Float], liteResidual: String, ledger: String, peakBytes: Int,
                metrics: Metrics, training: String, seed: UInt64, supernetSHA256: String?, widthMult: Double,
                memoryCertificate: String? = nil, provenance: String? = nil, parameterForm: String = "state_dict",
                normMode: String = NormMode.frozenBatchNorm.name) {
        self.tensors = tensors; self.family = family; self.netConfig = netConfig; self.arch = arch; self.method = method
        self.classNames = classNames; self.resolution = resolution; self.mean = mean; self.std = std
        self.liteResidual = liteResidual; self.ledger = ledger; self.peakBytes = peakBytes; self.metrics = metrics
        self.training = training; self.seed = seed; self.supernetSHA256 = supernetSHA256; self.widthMult = widthMult
        self.memoryCertificate = memoryCertificate; self.provenance = provenance; self.parameterForm = parameterForm
        self.normMode = normMode
    }

    /// Writes the file through a temporary file renamed into place (nothing under `url` on error).
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let classNamesJSON = String(decoding: try encoder.encode(classNames), as: UTF8.self)
        let metricsJSON = String(decoding: try encoder.encode(metrics), as: UTF8.self)
        try HDF5File.writeAtomically(to: url) { file in
            try file.writeFormat(Self.format)
            try file.setAttribute("family", .string(family))
            try file.setAttribute("net_config", .string(netConfig))
            if let arch { try file.setAttribute("arch", .string(arch)) }
            try file.setAttribute("method", .string(method))
            try file.setAttribute("norm_mode", .string(normMode))
            try file.setAttribute("classes", .int64(Int64(classNames.count)))
            try file.setAttribute("class_names", .string(classNamesJSON))
            try file.setAttribute("resolution", .int64(Int64(resolution)))
            try file.setAttribute("mean", .floats(mean))
            try file.setAttribute("std", .floats(std))
            try file.setAttribute("lite_residual", .string(liteResidual))
            try file.setAttribute("memory_ledger", .string(ledger))
            try file.setAttribute("peak_bytes", .int64(Int64(peakBytes)))
            try file.setAttribute("metrics", .string(metricsJSON))
            try file.setAttribute("training", .string(training))
            try file.setAttribute("seed", .int64(Int64(bitPattern: seed)))
            if let supernetSHA256 { try file.setAttribute("supernet_sha256", .string(supernetSHA256)) }
            try file.setAttribute("width_mult", .double(widthMult))
            if let memoryCertificate { try file.setAttribute("memory_certificate", .string(memoryCertificate)) }
            if let provenance { try file.setAttribute("provenance", .string(provenance)) }
            try file.setAttribute("parameter_form", .string(parameterForm))
            for t in tensors {
                if let q = t.quantized {
                    // 8 bits: uint8 indices in PyTorch layout, the codebook as the dataset's `codebook` attribute.
                    let dataset = try file.createDataset(t.name, values: q.indices, shape: t.shape, compression: .gzip())
                    try dataset.setAttribute("codebook", .floats(q.codebook))
                } else {
                    try file.createDataset(t.name, values: t.values, shape: t.shape, compression: .gzip())
                }
            }
        }
    }
}

extension TrainingGraph {
    /// The lite residual settings as JSON: the reference's fixed rule and each branch
    /// (`{}` when the method inserts none).
    public var liteResidualJSON: String {
        let branches = liteResidualBranchSettings
        guard !branches.isEmpty else { return "{}" }
        let rows = branches.map { "{\"block\":\($0.block),\"kernel\":\($0.kernel),\"mid_channels\":\($0.midChannels),\"stride\":\($0.stride)}" }
        return "{\"act\":\"relu\",\"assumed_resolution\":\(LiteResidualRule.assumedResolution),\"branches\":[\(rows.joined(separator: ","))],"
            + "\"downsample_ratio\":\(LiteResidualRule.downsampleRatio),\"expand\":1,\"groups\":\(LiteResidualRule.groups),"
            + "\"max_kernel\":\(LiteResidualRule.maxKernel),\"upsample\":\"bilinear\"}"
    }
}
