import Foundation

/// Small synthetic class-folder datasets for end-to-end runs: each class is a colour and a stripe pattern, each
/// image adds seeded noise, written as 8-bit RGB PNG files (stored, uncompressed deflate blocks).
enum PatternImages {
    /// A class: base colour (0…255 per channel) and stripe direction.
    struct Pattern {
        let name: String
        let color: (Int, Int, Int)
        let stripes: Stripes
    }

    enum Stripes { case horizontal, vertical, checker }

    static let patterns = [
        Pattern(name: "red-rows", color: (210, 50, 40), stripes: .horizontal),
        Pattern(name: "green-columns", color: (40, 190, 70), stripes: .vertical),
        Pattern(name: "blue-checks", color: (50, 70, 220), stripes: .checker),
    ]

    /// Writes `root/train/<class>/<i>.png` and `root/test/<class>/<i>.png` (`size`×`size` pixels) and returns `root`.
    static func writeDataset(at root: URL, train: Int, test: Int, size: Int = 32, seed: UInt64 = 1) throws -> URL {
        var state = seed
        for (split, count) in [("train", train), ("test", test)] {
            for pattern in patterns {
                let folder = root.appendingPathComponent(split).appendingPathComponent(pattern.name)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for i in 0..<count {
                    let pixels = image(pattern, size: size, state: &state)
                    try png(width: size, height: size, rgb: pixels).write(to: folder.appendingPathComponent("\(i).png"))
                }
            }
        }
        return root
    }

    /// RGB bytes, row-major: the class colour, darkened on every other 4-pixel stripe, plus noise in ±40.
    static func image(_ p: Pattern, size: Int, state: inout UInt64) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(size * size * 3)
        for y in 0..<size {
            for x in 0..<size {
                let dark: Bool
                switch p.stripes {
                case .horizontal: dark = (y / 4) % 2 == 1
                case .vertical: dark = (x / 4) % 2 == 1
                case .checker: dark = (x / 4 + y / 4) % 2 == 1
                }
                for base in [p.color.0, p.color.1, p.color.2] {
                    state = state &* 6364136223846793005 &+ 1442695040888963407
                    let noise = Int((state >> 33) % 81) - 40
                    out.append(UInt8(clamping: (dark ? base / 2 : base) + noise))
                }
            }
        }
        return out
    }

    /// A PNG file: signature, IHDR (8-bit RGB), one IDAT holding a zlib stream of stored blocks, IEND.
    static func png(width: Int, height: Int, rgb: [UInt8]) -> Data {
        var raw = [UInt8]()
        for y in 0..<height {
            raw.append(0)  // filter: none
            raw += rgb[(y * width * 3)..<((y + 1) * width * 3)]
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65_535, raw.count - offset)
            zlib.append(offset + n == raw.count ? 1 : 0)
            zlib += [UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            zlib += raw[offset..<(offset + n)]
            offset += n
        } while offset < raw.count
        zlib += bigEndian(adler32(raw))
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        file += chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 2, 0, 0, 0])
        file += chunk("IDAT", zlib)
        file += chunk("IEND", [])
        return Data(file)
    }

    static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        return bigEndian(UInt32(body.count)) + typed + bigEndian(crc32(typed))
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes { a = (a + UInt32(byte)) % 65_521; b = (b + a) % 65_521 }
        return b << 16 | a
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
