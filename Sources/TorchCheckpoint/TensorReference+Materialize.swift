import Foundation

extension TensorReference {
    /// Copies the tensor's elements out of its storage into contiguous row-major bytes.
    ///
    /// Concretely: element `(i0, ..., ik)` is read from storage element
    /// `storage.elementOffset + offset + Σ i_d * strides[d]`. A contiguous layout (strides equal to
    /// the row-major ones, size-1 dimensions ignored) is one block copy; any other view (a transpose,
    /// a column slice) is gathered row by row. Views that share one storage each get their own copy.
    ///
    /// - Parameters:
    ///   - storageBytes: all bytes of the root storage `storage.key`.
    ///   - name: the state_dict key, for error messages.
    /// - Throws: ``CheckpointError/truncated(file:detail:)`` when the storage holds fewer bytes than
    ///   the persistent id announces; ``CheckpointError/malformed(file:detail:)`` when the view
    ///   reaches past its storage or its element count overflows.
    /// - Complexity: O(count); memory: one `count * elementSize` byte array.
    func materialize(from storageBytes: UnsafeRawBufferPointer, name: String, file: URL) throws -> TorchTensor {
        let dtype = storage.dtype
        let size = dtype.elementSize
        let available = storageBytes.count / size
        guard storage.elementOffset <= available, storage.elementCount <= available - storage.elementOffset else {
            throw CheckpointError.truncated(
                file: file,
                detail: "storage \(storage.key) of tensor \(name) holds \(storageBytes.count) bytes, "
                    + "fewer than \(storage.elementOffset + storage.elementCount) \(dtype) elements")
        }
        var count = 1, last = offset
        for (extent, stride) in zip(shape, strides) {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else { throw CheckpointError.malformed(file: file, detail: "tensor \(name) with size \(shape) overflows") }
            count = product
            if extent > 0 {
                let (reach, o1) = (extent - 1).multipliedReportingOverflow(by: stride)
                let (sum, o2) = last.addingReportingOverflow(reach)
                guard !o1, !o2 else { throw CheckpointError.malformed(file: file, detail: "tensor \(name) with stride \(strides) overflows") }
                last = sum
            }
        }
        guard count > 0 else { return TorchTensor(dtype: dtype, shape: shape, bytes: []) }
        guard last < storage.elementCount else {
            throw CheckpointError.malformed(
                file: file,
                detail: "tensor \(name) (size \(shape), stride \(strides), offset \(offset)) reaches element \(last) "
                    + "of storage \(storage.key), which has \(storage.elementCount)")
        }
        let base = storage.elementOffset + offset
        let bytes = [UInt8](unsafeUninitializedCapacity: count * size) { out, initialized in
            guard let target = out.baseAddress, let source = storageBytes.baseAddress else { return }
            if isContiguous {
                target.update(from: source.assumingMemoryBound(to: UInt8.self) + base * size, count: count * size)
            } else {
                gather(into: UnsafeMutableRawPointer(target), from: source, base: base, elementSize: size, count: count)
            }
            initialized = count * size
        }
        return TorchTensor(dtype: dtype, shape: shape, bytes: bytes)
    }

    /// Whether the strides are the row-major ones for `shape` (ignoring size-1 dimensions).
    var isContiguous: Bool {
        var expected = 1
        for (extent, stride) in zip(shape, strides).reversed() where extent != 1 {
            if stride != expected { return false }
            expected *= extent
        }
        return true
    }

    /// The layout with size-1 dimensions dropped and dimensions merged wherever one steps exactly
    /// over the next (`stride[d] == stride[d+1] * size[d+1]`); at least one dimension.
    ///
    /// For example a transposed `(1000, 1280)` weight keeps two dimensions, while a `(16, 32, 1, 1)`
    /// conv weight with strides `(1, 16, 512, 512)` becomes a `(16, 32)` transpose.
    var collapsedLayout: (shape: [Int], strides: [Int]) {
        var sizes: [Int] = [], steps: [Int] = []
        for (extent, stride) in zip(shape, strides) where extent != 1 {
            if let lastSize = sizes.last, let lastStep = steps.last, lastStep == stride * extent {
                sizes[sizes.count - 1] = lastSize * extent
                steps[steps.count - 1] = stride
            } else {
                sizes.append(extent)
                steps.append(stride)
            }
        }
        return sizes.isEmpty ? ([1], [1]) : (sizes, steps)
    }

    /// Strided copy in output order: an odometer over all collapsed dimensions but the last, whose
    /// elements are copied with one typed load and store each.
    private func gather(into target: UnsafeMutableRawPointer, from source: UnsafeRawPointer,
                        base: Int, elementSize size: Int, count: Int) {
        switch size {
        case 4: gatherFloat32(into: target, from: source, base: base, count: count)
        case 2: gather(UInt16.self, into: target, from: source, base: base, count: count)
        case 8: gather(UInt64.self, into: target, from: source, base: base, count: count)
        default: gather(UInt8.self, into: target, from: source, base: base, count: count)
        }
    }

    private func gather<Element: FixedWidthInteger>(
        _: Element.Type, into target: UnsafeMutableRawPointer, from source: UnsafeRawPointer, base: Int, count: Int
    ) {
        let (sizes, steps) = collapsedLayout
        let rank = sizes.count
        let innerCount = sizes[rank - 1], innerStride = steps[rank - 1]
        let output = target.assumingMemoryBound(to: Element.self)  // a fresh [UInt8] buffer: aligned
        let width = MemoryLayout<Element>.size
        var index = [Int](repeating: 0, count: rank - 1)
        var element = base
        var written = 0
        while written < count {
            // Storage bytes may sit at any offset in the file, hence unaligned loads.
            let row = source + element * width
            for j in 0..<innerCount {
                output[written + j] = row.loadUnaligned(fromByteOffset: j * innerStride * width, as: Element.self)
            }
            written += innerCount
            Self.advance(&index, &element, sizes: sizes, steps: steps)
        }
    }

    /// ``gather(into:from:base:elementSize:count:)`` for 4-byte elements, written without generics so
    /// that debug builds (where generics stay unspecialised) also load a real checkpoint quickly.
    private func gatherFloat32(into target: UnsafeMutableRawPointer, from source: UnsafeRawPointer, base: Int, count: Int) {
        let (sizes, steps) = collapsedLayout
        let rank = sizes.count
        let innerCount = sizes[rank - 1], innerStep = steps[rank - 1] * 4
        let output = target.assumingMemoryBound(to: UInt32.self)
        var index = [Int](repeating: 0, count: rank - 1)
        var element = base
        var written = 0
        while written < count {
            var from = source + element * 4
            for j in written..<(written + innerCount) {
                output[j] = from.loadUnaligned(as: UInt32.self)
                from += innerStep
            }
            written += innerCount
            Self.advance(&index, &element, sizes: sizes, steps: steps)
        }
    }

    /// Moves the outer index (all dimensions but the innermost) to the next row, odometer style, keeping
    /// `element` (the storage position of the row's first element) in step.
    @inline(__always)
    private static func advance(_ index: inout [Int], _ element: inout Int, sizes: [Int], steps: [Int]) {
        var d = index.count - 1
        while d >= 0 {
            index[d] += 1
            element += steps[d]
            if index[d] < sizes[d] { return }
            element -= steps[d] * sizes[d]
            index[d] = 0
            d -= 1
        }
    }
}
