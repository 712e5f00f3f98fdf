import Foundation

extension RGBImage {
    /// Width and height of the JPEG or PNG file at `url`, read from its header without decoding (JPEG: the first
    /// start-of-frame marker; PNG: IHDR). Nil when the file is missing, not JPEG/PNG, or the header is damaged.
    public static func size(ofFileAt url: URL) -> (width: Int, height: Int)? {
        guard let data = try? Data(contentsOf: url, options: .mappedIfSafe) else { return nil }
        return data.withUnsafeBytes { bytes -> (Int, Int)? in
            switch ImageFormat.detect(bytes) {
            case .png:
                guard bytes.count >= 24 else { return nil }
                func be32(_ o: Int) -> Int { (0..<4).reduce(0) { $0 << 8 | Int(bytes[o + $1]) } }
                return (be32(16), be32(20))
            case .jpeg:
                var o = 2
                while o + 9 < bytes.count {
                    guard bytes[o] == 0xFF else { return nil }
                    let marker = bytes[o + 1]
                    if marker == 0xFF { o += 1; continue }
                    let length = Int(bytes[o + 2]) << 8 | Int(bytes[o + 3])
                    // SOF0…SOF15 except DHT (C4), JPG (C8) and DAC (CC): precision, height, width.
                    if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
                        return (Int(bytes[o + 7]) << 8 | Int(bytes[o + 8]), Int(bytes[o + 5]) << 8 | Int(bytes[o + 6]))
                    }
                    if marker == 0xD9 || marker == 0xDA { return nil }
                    o += 2 + length
                }
                return nil
            case nil:
                return nil
            }
        }
    }
}
