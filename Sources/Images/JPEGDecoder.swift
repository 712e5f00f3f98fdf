import CImageCodecs

/// Owns one TurboJPEG decompressor handle: created by `tjInitDecompress`, destroyed in `deinit`.
final class TurboJPEGDecompressor {
    /// +1: released by `tjDestroy` in `deinit`, nowhere else.
    let handle: tjhandle

    init?() {
        guard let h = tjInitDecompress() else { return nil }
        handle = h
    }

    deinit { tjDestroy(handle) }

    /// The message of the last failed call. Borrowed: the string lives in TurboJPEG's (thread-local or
    /// per-handle) buffer, so it is copied at once.
    var lastErrorMessage: String {
        guard let s = tjGetErrorStr2(handle) else { return "unknown libjpeg-turbo error" }
        return String(cString: s)
    }

    /// Whether the last failed call only raised libjpeg warnings (the image was still decoded).
    var lastErrorIsWarning: Bool { tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue) }
}

/// JPEG decoding through TurboJPEG 2.1, matching Pillow's decoder (libjpeg's defaults: ISLOW integer
/// DCT, fancy upsampling) and its `convert('RGB')`.
enum JPEGDecoder {
    /// libjpeg warnings after which the decoded pixels are still what the file encodes; every other
    /// warning (premature end of file or data segment, bad Huffman/arithmetic code, missing restart
    /// marker) means lost data and becomes `ImageError.corruptJPEG`. TurboJPEG keeps only the first
    /// warning's text of a decode.
    static let harmlessWarnings = [
        "extraneous bytes before marker",  // JWRN_EXTRANEOUS_DATA: junk between segments
        "Warning: unknown JFIF revision",  // JWRN_JFIF_MAJOR
        "Unknown Adobe color transform",  // JWRN_ADOBE_XFORM
        "Inconsistent progression sequence",  // JWRN_BOGUS_PROGRESSION
        "Invalid SOS parameters for sequential JPEG",  // JWRN_NOT_SEQUENTIAL
        "Application transferred too many scanlines",  // JWRN_TOO_MUCH_DATA
    ]

    static func decode(_ bytes: UnsafeRawBufferPointer, name: String) throws(ImageError) -> RGBImage {
        guard let tj = TurboJPEGDecompressor() else {
            throw .corruptJPEG(source: name, reason: "cannot create a libjpeg-turbo decompressor")
        }
        let jpeg = bytes.bindMemory(to: UInt8.self)
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        try check(tjDecompressHeader3(tj.handle, jpeg.baseAddress, UInt(jpeg.count),
                                      &width, &height, &subsampling, &colorspace), tj, name: name)
        let w = Int(width), h = Int(height)
        guard w > 0, h > 0 else { throw .corruptJPEG(source: name, reason: "image size \(w)x\(h)") }
        guard w * h <= ImageError.maxPixels else { throw .tooLarge(source: name, width: w, height: h) }

        let isCMYK = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
        let format = isCMYK ? TJPF_CMYK : TJPF_RGB
        let channels = isCMYK ? 4 : 3
        // Default flags: libjpeg's ISLOW DCT and fancy upsampling, as Pillow uses (TJFLAG_FASTDCT would not).
        var decoded = [UInt8](repeating: 0, count: w * h * channels)
        let status = decoded.withUnsafeMutableBufferPointer { out in
            tjDecompress2(tj.handle, jpeg.baseAddress, UInt(jpeg.count), out.baseAddress,
                          width, 0, height, Int32(format.rawValue), 0)
        }
        try check(status, tj, name: name)
        let pixels = isCMYK ? pillowCMYKToRGB(decoded) : decoded
        return RGBImage(width: w, height: h, pixels: pixels)
    }

    /// Throws unless `status` is 0 or the call only raised a harmless warning (both TurboJPEG calls
    /// return -1 after any libjpeg warning, having finished their work).
    static func check(_ status: Int32, _ tj: TurboJPEGDecompressor, name: String) throws(ImageError) {
        guard status != 0 else { return }
        let message = tj.lastErrorMessage
        let harmless = tj.lastErrorIsWarning && harmlessWarnings.contains { message.contains($0) }
        if !harmless { throw .corruptJPEG(source: name, reason: message) }
    }

    /// Pillow's CMYK JPEG path: the decoder's CMYK is read as Adobe-inverted (`rawmode "CMYK;I"`, always),
    /// then `convert('RGB')` applies `cmyk2rgb`.
    ///
    /// Concretely: with `C = 255 - c`, `nk = 255 - (255 - k) = k`:
    /// `R = clip8(nk - muldiv255(C, nk))`, `muldiv255(a, b) = (t + (t >> 8)) >> 8` with `t = a·b + 128`.
    ///
    /// ### References
    /// Pillow `JpegImagePlugin.py` (`rawmode = "CMYK;I"  # assume adobe conventions`),
    /// `src/libImaging/Convert.c` `cmyk2rgb`, `ImagingUtils.h` `MULDIV255`.
    static func pillowCMYKToRGB(_ cmyk: [UInt8]) -> [UInt8] {
        let n = cmyk.count / 4
        var rgb = [UInt8](repeating: 0, count: n * 3)
        for i in 0..<n {
            let nk = Int(cmyk[4 * i + 3])  // 255 - inverted K
            for c in 0..<3 {
                let t = (255 - Int(cmyk[4 * i + c])) * nk + 128
                let v = nk - (((t >> 8) + t) >> 8)
                rgb[3 * i + c] = UInt8(clamping: v)
            }
        }
        return rgb
    }
}
