import Foundation

/// The container formats ``RGBImage`` decodes, recognised by their leading bytes.
public enum ImageFormat: String, Sendable {
    /// JPEG: starts with `FF D8 FF`. Decoded by libjpeg-turbo (TurboJPEG API).
    case jpeg
    /// PNG: starts with `89 50 4E 47 0D 0A 1A 0A`. Decoded by libpng's simplified API.
    case png

    /// The format whose signature `bytes` start with, or nil (the file extension is never consulted).
    public static func detect(_ bytes: UnsafeRawBufferPointer) -> ImageFormat? {
        if bytes.count >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF { return .jpeg }
        if bytes.count >= 8 && zip(bytes.prefix(8), PNGDecoder.signature).allSatisfy({ $0 == $1 }) { return .png }
        return nil
    }
}

extension RGBImage {
    /// Decodes the JPEG or PNG file at `url` into RGB, as Pillow's `Image.open(url).convert('RGB')` does.
    ///
    /// Concretely: the codec is chosen by the file's signature, not its extension. JPEG: grayscale is
    /// replicated to RGB; CMYK and YCCK follow Pillow (Adobe-inverted CMYK, then `cmyk2rgb`). PNG: alpha
    /// is dropped (not composited), palettes expanded, gray replicated, 16-bit samples keep their high
    /// byte, gamma/ICC chunks are ignored, all as in Pillow. EXIF orientation is not applied (neither
    /// Pillow's `open` nor torchvision applies it).
    ///
    /// Layout: HWC RGB bytes.
    /// - Throws: ``ImageError`` naming the file: `.fileNotFound`, `.unreadable`, `.notAnImage`,
    ///   `.corruptJPEG` (including truncated data, which libjpeg only warns about), `.corruptPNG`,
    ///   `.tooLarge`.
    public init(contentsOf url: URL) throws(ImageError) {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw .fileNotFound(source: path) }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw .unreadable(source: path, reason: (error as NSError).localizedDescription)
        }
        try self.init(data: data, name: path)
    }

    /// Decodes JPEG or PNG bytes held in memory; `name` identifies them in errors.
    ///
    /// - Throws: ``ImageError`` (see ``init(contentsOf:)``).
    public init(data: Data, name: String = "<data>") throws(ImageError) {
        let result: Result<RGBImage, ImageError> = data.withUnsafeBytes { bytes in
            Result { () throws(ImageError) -> RGBImage in try RGBImage.decode(bytes, name: name) }
        }
        self = try result.get()
    }

    /// Decodes JPEG or PNG bytes; `name` identifies them in errors.
    static func decode(_ bytes: UnsafeRawBufferPointer, name: String) throws(ImageError) -> RGBImage {
        switch ImageFormat.detect(bytes) {
        case .jpeg?: return try JPEGDecoder.decode(bytes, name: name)
        case .png?: return try PNGDecoder.decode(bytes, name: name)
        case nil:
            let lead = bytes.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
            throw .notAnImage(source: name, leadingBytes: lead)
        }
    }
}
