import Foundation

/// Why an image could not be read; each case names the file and reads as one line for the user.
///
/// `source` is the file path, or the name given to ``RGBImage/init(data:name:)`` for in-memory data.
public enum ImageError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// No file at this path.
    case fileNotFound(source: String)
    /// The file exists but could not be read (permissions, a directory, an I/O error).
    case unreadable(source: String, reason: String)
    /// The leading bytes are neither a JPEG (`FF D8 FF`) nor a PNG signature.
    case notAnImage(source: String, leadingBytes: String)
    /// libjpeg-turbo reported an error, or a warning that means lost data (premature end of data).
    case corruptJPEG(source: String, reason: String)
    /// libpng reported an error (bad signature or CRC, truncated data, ...).
    case corruptPNG(source: String, reason: String)
    /// The header is valid but the image is larger than we agree to decode (Pillow's bomb limit).
    case tooLarge(source: String, width: Int, height: Int)

    /// Pillow's `Image.MAX_IMAGE_PIXELS * 2`, past which Pillow refuses to decode (decompression bomb).
    public static let maxPixels = 2 * 89_478_485

    public var source: String {
        switch self {
        case .fileNotFound(let s), .unreadable(let s, _), .notAnImage(let s, _), .corruptJPEG(let s, _),
             .corruptPNG(let s, _), .tooLarge(let s, _, _):
            return s
        }
    }

    public var description: String {
        switch self {
        case .fileNotFound(let s):
            return "\(s): no such file"
        case .unreadable(let s, let reason):
            return "\(s): cannot read file (\(reason))"
        case .notAnImage(let s, let lead):
            return "\(s): not a JPEG or PNG image (starts with \(lead.isEmpty ? "nothing: empty file" : lead))"
        case .corruptJPEG(let s, let reason):
            return "\(s): truncated or corrupt JPEG (\(reason)) — re-download the file or remove it from the dataset"
        case .corruptPNG(let s, let reason):
            return "\(s): truncated or corrupt PNG (\(reason)) — re-download the file or remove it from the dataset"
        case .tooLarge(let s, let w, let h):
            return "\(s): image of \(w)x\(h) pixels exceeds the limit of \(Self.maxPixels) pixels"
        }
    }

    public var errorDescription: String? { description }
}
