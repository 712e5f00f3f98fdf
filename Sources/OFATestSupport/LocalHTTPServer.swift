import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny HTTP/1.1 file server on 127.0.0.1 for download tests: no network beyond the loopback.
///
/// Concretely: a listening socket on an ephemeral port, served by one background thread, one request per
/// connection (`Connection: close`). `GET /<name>` answers with the file `root/<name>` (200), or from byte N
/// for `Range: bytes=N-` (206 with `Content-Range`; 416 when N is at or past the end), or 404. Options
/// imitate bad networks and servers: `cutAfter` closes the connection after that many body bytes for the
/// first `cutCount` responses, and `ignoresRange` answers 200 with the whole file whatever the range.
///
/// The listening descriptor is owned by the serving thread and closed when ``stop()`` ends it; the thread
/// keeps the server alive until then, so call `stop()` (e.g. in a `defer`) when done.
public final class LocalHTTPServer: @unchecked Sendable {
    /// One request as received.
    public struct Request: Sendable, Equatable {
        public var method: String
        public var path: String
        /// The `Range` header, if any.
        public var range: String?
        /// The status answered.
        public var status: Int
    }

    /// The folder served.
    public let root: URL
    /// The port the server listens on.
    public let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var stopped = false
    private var cutsLeft: Int
    private let cutAfter: Int?
    private let ignoresRange: Bool
    private var log: [Request] = []
    private let finished = DispatchSemaphore(value: 0)

    /// `http://127.0.0.1:<port>/`.
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/")! }

    /// The requests served so far.
    public var requests: [Request] {
        lock.lock()
        defer { lock.unlock() }
        return log
    }

    /// Starts serving `root`.
    /// - Parameters:
    ///   - cutAfter: close the connection after this many body bytes (nil: never).
    ///   - cutCount: how many responses are cut (the later ones are whole).
    ///   - ignoresRange: answer every request with 200 and the whole file.
    /// - Throws: `POSIXError` when the socket cannot be set up.
    public init(root: URL, cutAfter: Int? = nil, cutCount: Int = 1, ignoresRange: Bool = false) throws {
        self.root = root
        self.cutAfter = cutAfter
        self.cutsLeft = cutAfter == nil ? 0 : cutCount
        self.ignoresRange = ignoresRange
        let (fd, port) = try Self.makeListener()
        listener = fd
        self.port = port
        let thread = Thread { [self] in serve() }
        thread.name = "LocalHTTPServer:\(port)"
        thread.start()
    }

    /// Stops accepting connections and closes the socket; waits for the serving thread to end.
    public func stop() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        lock.unlock()
        if !wasStopped { finished.wait() }
    }

    /// A port on 127.0.0.1 that nothing listens on (bound, then closed), for "connection refused" tests.
    public static func closedPort() throws -> UInt16 {
        let (fd, port) = try makeListener()
        close(fd)
        return port
    }

    private static func makeListener() throws -> (Int32, UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0  // ephemeral
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { s in
                bind(fd, s, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, s, &length) == 0
            }
        }
        guard ok else {
            let code = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func serve() {
        defer {
            close(listener)
            finished.signal()
        }
        while !isStopped {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !request.contains(sequence: [13, 10, 13, 10]) && request.count < 65536 {
            let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            request += buffer[..<n]
        }
        let lines = String(decoding: request, as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines.first?.split(separator: " ").map(String.init) ?? []
        guard parts.count >= 2 else { return respond(client, status: 400, headers: [:], body: []) }
        let method = parts[0], path = parts[1]
        let range = lines.dropFirst().first { $0.lowercased().hasPrefix("range:") }
            .map { String($0.dropFirst("range:".count)).trimmingCharacters(in: .whitespaces) }

        let name = path.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }.joined(separator: "/")
        let file = root.appendingPathComponent(name)
        var isDirectory: ObjCBool = false
        guard method == "GET" || method == "HEAD", !name.split(separator: "/").contains(".."),
              FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = try? Data(contentsOf: file) else {
            record(Request(method: method, path: path, range: range, status: 404))
            return respond(client, status: 404, headers: [:], body: Array("not found: \(path)\n".utf8))
        }
        var start = 0
        if !ignoresRange, let range, range.hasPrefix("bytes="), range.hasSuffix("-"),
           let n = Int(range.dropFirst("bytes=".count).dropLast()) {
            start = n
        }
        if start > 0 && start >= data.count {
            record(Request(method: method, path: path, range: range, status: 416))
            return respond(client, status: 416, headers: ["Content-Range": "bytes */\(data.count)"], body: [])
        }
        let status = start > 0 ? 206 : 200
        record(Request(method: method, path: path, range: range, status: status))
        var headers = ["Accept-Ranges": "bytes", "Content-Type": "application/octet-stream"]
        if status == 206 { headers["Content-Range"] = "bytes \(start)-\(data.count - 1)/\(data.count)" }
        let body = method == "HEAD" ? [] : [UInt8](data[start...])
        respond(client, status: status, headers: headers, body: body, contentLength: data.count - start, cut: takeCut())
    }

    private func takeCut() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard cutsLeft > 0, let cutAfter else { return nil }
        cutsLeft -= 1
        return cutAfter
    }

    private func record(_ request: Request) {
        lock.lock()
        log.append(request)
        lock.unlock()
    }

    private func respond(_ client: Int32, status: Int, headers: [String: String], body: [UInt8], contentLength: Int? = nil, cut: Int? = nil) {
        let reason = [200: "OK", 206: "Partial Content", 400: "Bad Request", 404: "Not Found", 416: "Range Not Satisfiable"][status] ?? "Status"
        var head = "HTTP/1.1 \(status) \(reason)\r\nContent-Length: \(contentLength ?? body.count)\r\nConnection: close\r\n"
        for (key, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(key): \(value)\r\n" }
        head += "\r\n"
        sendAll(client, Array(head.utf8))
        sendAll(client, cut.map { Array(body.prefix($0)) } ?? body)
    }

    private func sendAll(_ client: Int32, _ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            // MSG_NOSIGNAL: a client that hung up must not kill the test process with SIGPIPE.
            let n = bytes.withUnsafeBytes { send(client, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }
}

private extension Array where Element == UInt8 {
    func contains(sequence: [UInt8]) -> Bool {
        guard count >= sequence.count else { return false }
        return (0...(count - sequence.count)).contains { self[$0..<($0 + sequence.count)].elementsEqual(sequence) }
    }
}
