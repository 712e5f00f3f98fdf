import CImageCodecs

/// Owns one libpng simplified-API read: the `png_image` and the libpng state behind `image.opaque`,
/// released by `png_image_free` in `deinit` (libpng also frees that state at the end of
/// `png_image_finish_read` and on errors; a second `png_image_free` is a no-op).
///
/// The `png_image` lives at a fixed address because libpng keeps a pointer to it (its error handler
/// writes `message` there) between `png_image_begin_read_from_memory` and `png_image_finish_read`.
final class PNGImageRead {
    /// +1: allocated in `init`, deallocated in `deinit`.
    let image: UnsafeMutablePointer<png_image>

    init() {
        image = .allocate(capacity: 1)
        image.initialize(to: png_image())
        image.pointee.version = cimg_png_image_version()
    }

    deinit {
        png_image_free(image)
        image.deinitialize(count: 1)
        image.deallocate()
    }

    /// libpng's error or warning text (`image.message`), copied.
    var message: String {
        withUnsafeBytes(of: image.pointee.message) { raw in
            let text = raw.prefix { $0 != 0 }
            return text.isEmpty ? "unknown libpng error" : String(decoding: text, as: UTF8.self)
        }
    }
}

/// PNG decoding through libpng's simplified API, matching Pillow's `Image.open(...).convert('RGB')`.
///
/// Concretely, by IHDR colour type and bit depth (Pillow `PngImagePlugin._MODES` and `Convert.c`):
/// - 8-bit (and 1/2/4-bit) gray, gray+alpha, RGB, RGBA, palette (with or without `tRNS`): read as
///   `PNG_FORMAT_RGBA` (or `_RGB` without alpha) and the alpha channel is dropped: Pillow's RGBA→RGB
///   and P→RGB conversions ignore transparency; nothing is composited.
/// - 16-bit RGB / RGBA / gray+alpha: Pillow keeps the high byte (`RGB;16B`, `LA;16B`). Read as
///   16-bit linear and shifted right by 8. libpng premultiplies 16-bit alpha formats, so the colour of
///   translucent pixels is recovered by division (can be off by one when alpha is small; fully
///   transparent pixels come out black).
/// - 16-bit gray: Pillow opens it as mode `I;16`, and `convert('RGB')` clips values to 255 (most
///   pixels become white). We reproduce that, for parity.
/// - `gAMA`, `sRGB`, `iCCP`, `cHRM` and `cICP` chunks are removed before libpng sees the file: Pillow
///   ignores them, but the simplified API would gamma-encode the samples.
enum PNGDecoder {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Chunks describing colour interpretation, which Pillow does not apply.
    static let colorChunks: Set<String> = ["gAMA", "sRGB", "iCCP", "cHRM", "cICP"]

    static func decode(_ bytes: UnsafeRawBufferPointer, name: String) throws(ImageError) -> RGBImage {
        let layout = ChunkLayout(bytes)
        guard !layout.dropped.isEmpty else {
            return try decodeWithLibpng(bytes, colorType: layout.colorType, name: name)
        }
        var kept = [UInt8]()
        kept.reserveCapacity(bytes.count)
        var start = 0
        for range in layout.dropped {
            kept.append(contentsOf: bytes[start..<range.lowerBound])
            start = range.upperBound
        }
        kept.append(contentsOf: bytes[start...])
        let result = kept.withUnsafeBytes { raw in
            Result { () throws(ImageError) -> RGBImage in
                try decodeWithLibpng(raw, colorType: layout.colorType, name: name)
            }
        }
        return try result.get()
    }

    /// Where the chunks are: IHDR's colour type and the byte ranges of `colorChunks`. A malformed
    /// layout just ends the walk; libpng then reports the problem.
    struct ChunkLayout {
        var colorType: UInt8?
        var dropped: [Range<Int>] = []

        init(_ bytes: UnsafeRawBufferPointer) {
            func be32(_ i: Int) -> Int {
                Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            }
            var offset = 8
            while offset + 12 <= bytes.count {
                let length = be32(offset)
                let end = offset + 12 + length
                guard length >= 0, end <= bytes.count else { break }
                let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
                if type == "IHDR" && length >= 13 { colorType = bytes[offset + 8 + 9] }
                if PNGDecoder.colorChunks.contains(type) { dropped.append(offset..<end) }
                if type == "IEND" { break }
                offset = end
            }
        }
    }

    static func decodeWithLibpng(_ bytes: UnsafeRawBufferPointer, colorType: UInt8?, name: String)
        throws(ImageError) -> RGBImage
    {
        let read = PNGImageRead()
        // Borrowed: libpng reads `bytes` until png_image_finish_read returns; both calls happen here.
        guard png_image_begin_read_from_memory(read.image, bytes.baseAddress, bytes.count) != 0 else {
            throw .corruptPNG(source: name, reason: read.message)
        }
        let w = Int(read.image.pointee.width), h = Int(read.image.pointee.height)
        guard w * h <= ImageError.maxPixels else { throw .tooLarge(source: name, width: w, height: h) }
        let fileFormat = read.image.pointee.format
        let hasAlpha = fileFormat & cimg_png_format_flag_alpha() != 0
        let isColor = fileFormat & cimg_png_format_flag_color() != 0
        let is16 = fileFormat & cimg_png_format_flag_linear() != 0

        if !is16 {
            read.image.pointee.format = hasAlpha ? cimg_png_format_rgba() : cimg_png_format_rgb()
            let channels = hasAlpha ? 4 : 3
            var buffer = [UInt8](repeating: 0, count: cimg_png_image_size(read.image))
            precondition(buffer.count == w * h * channels)
            let ok = buffer.withUnsafeMutableBytes { png_image_finish_read(read.image, nil, $0.baseAddress, 0, nil) }
            guard ok != 0 else { throw .corruptPNG(source: name, reason: read.message) }
            guard hasAlpha else { return RGBImage(width: w, height: h, pixels: buffer) }
            var rgb = [UInt8](repeating: 0, count: w * h * 3)
            for i in 0..<(w * h) {
                rgb[3 * i] = buffer[4 * i]
                rgb[3 * i + 1] = buffer[4 * i + 1]
                rgb[3 * i + 2] = buffer[4 * i + 2]
            }
            return RGBImage(width: w, height: h, pixels: rgb)
        }

        // 16-bit: linear output with no gamma chunk left means the file's samples, untouched (but
        // premultiplied when there is alpha).
        let components = (isColor ? 3 : 1) + (hasAlpha ? 1 : 0)
        read.image.pointee.format = isColor
            ? (hasAlpha ? cimg_png_format_linear_rgb_alpha() : cimg_png_format_linear_rgb())
            : (hasAlpha ? cimg_png_format_linear_y_alpha() : cimg_png_format_linear_y())
        var samples = [UInt16](repeating: 0, count: cimg_png_image_size(read.image) / 2)
        precondition(samples.count == w * h * components)
        let ok = samples.withUnsafeMutableBytes { png_image_finish_read(read.image, nil, $0.baseAddress, 0, nil) }
        guard ok != 0 else { throw .corruptPNG(source: name, reason: read.message) }

        // Pillow opens 16-bit gray without an alpha channel (colour type 0) as I;16 and clips to 255.
        let clipsLikeI16 = !isColor && colorType != 4
        var rgb = [UInt8](repeating: 0, count: w * h * 3)
        for i in 0..<(w * h) {
            let base = i * components
            let alpha = hasAlpha ? Int(samples[base + components - 1]) : 65535
            for c in 0..<3 {
                var v = Int(samples[base + (isColor ? c : 0)])
                if alpha == 0 { v = 0 } else if alpha < 65535 { v = Swift.min(65535, (v * 65535 + alpha / 2) / alpha) }
                rgb[3 * i + c] = clipsLikeI16 ? UInt8(Swift.min(v, 255)) : UInt8(v >> 8)
            }
        }
        return RGBImage(width: w, height: h, pixels: rgb)
    }
}
