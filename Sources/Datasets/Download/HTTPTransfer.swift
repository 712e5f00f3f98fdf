import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP GET appended to a partial file, through `URLSession` (libcurl on Linux, which also gives
/// https and redirects). Asks for `Range: bytes=N-` when the partial file already holds N bytes and copes
/// with a server that answers 200 with the whole file instead of 206.
///
/// The session's delegate queue is serial and the caller only reads the outcome after the completion
/// semaphore, so the mutable state needs no lock.
final class HTTPTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    enum Outcome: Equatable {
        /// The body was received completely.
        case complete
        /// 416: the partial file already covers the whole resource (or is longer).
        case rangeNotSatisfiable
        /// No usable answer; `retryable` when the connection broke after some data arrived.
        case failed(reason: String, retryable: Bool)
    }

    private let url: URL
    private let partial: URL
    private let fileName: String
    private let expectedSize: Int64?
    private let progress: DownloadProgressHandler?
    private var handle: FileHandle?
    private var outcome: Outcome = .failed(reason: "no response", retryable: false)
    private var httpFailure: String?
    private var writeFailure: String?
    private(set) var bytesOnDisk: Int64 = 0
    private var receivedThisAttempt: Int64 = 0
    /// The full size as the server states it (Content-Range or Content-Length); nil when it does not.
    private var total: Int64?
    private let started = Date()
    private var lastReport = Date.distantPast
    private let done = DispatchSemaphore(value: 0)

    init(url: URL, partial: URL, fileName: String, expectedSize: Int64?, progress: DownloadProgressHandler?) {
        self.url = url
        self.partial = partial
        self.fileName = fileName
        self.expectedSize = expectedSize
        self.progress = progress
    }

    /// Runs the request to its end and says how it went; the partial file keeps whatever arrived.
    func run(timeout: TimeInterval) -> Outcome {
        let fm = FileManager.default
        if !fm.fileExists(atPath: partial.path) { _ = fm.createFile(atPath: partial.path, contents: nil) }
        do {
            let h = try FileHandle(forWritingTo: partial)
            bytesOnDisk = Int64(try h.seekToEnd())
            handle = h
        } catch {
            return .failed(reason: "cannot write \(partial.path): \((error as NSError).localizedDescription)", retryable: false)
        }
        defer { try? handle?.close() }

        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")  // the md5 is of the bytes as stored
        if bytesOnDisk > 0 { request.setValue("bytes=\(bytesOnDisk)-", forHTTPHeaderField: "Range") }
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        let session = URLSession(configuration: configuration, delegate: self, delegateQueue: queue)
        session.dataTask(with: request).resume()
        done.wait()
        session.finishTasksAndInvalidate()  // the session holds its delegate until invalidated
        return outcome
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard let http = response as? HTTPURLResponse else {
            httpFailure = "not an HTTP response"
            return completionHandler(.cancel)
        }
        let length = response.expectedContentLength
        switch http.statusCode {
        case 206:
            let range = (http.value(forHTTPHeaderField: "Content-Range") ?? "")
            let start = Int64(range.drop { !$0.isNumber }.prefix { $0.isNumber }) ?? -1
            guard start == bytesOnDisk else {
                httpFailure = "the server resumed at byte \(start) instead of \(bytesOnDisk) (Content-Range: \(range))"
                try? handle?.truncate(atOffset: 0)
                bytesOnDisk = 0
                return completionHandler(.cancel)
            }
            total = Int64(range.split(separator: "/").last.map(String.init) ?? "") ?? (length >= 0 ? bytesOnDisk + length : nil)
        case 200:
            if bytesOnDisk > 0 {  // the server ignored the range: start over
                do { try handle?.truncate(atOffset: 0) } catch { writeFailure = (error as NSError).localizedDescription }
                bytesOnDisk = 0
            }
            total = length >= 0 ? length : nil
        case 416:
            outcome = .rangeNotSatisfiable
            httpFailure = ""
            return completionHandler(.cancel)
        default:
            httpFailure = "HTTP \(http.statusCode) \(HTTPURLResponse.localizedString(forStatusCode: http.statusCode))"
            return completionHandler(.cancel)
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard writeFailure == nil, httpFailure == nil else { return }  // no error page in the partial file
        do {
            try handle?.write(contentsOf: data)
        } catch {
            writeFailure = "cannot write \(partial.path): \((error as NSError).localizedDescription)"
            dataTask.cancel()
            return
        }
        bytesOnDisk += Int64(data.count)
        receivedThisAttempt += Int64(data.count)
        let now = Date()
        if now.timeIntervalSince(lastReport) >= 0.1 {
            lastReport = now
            progress?(report(finished: false))
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        defer { done.signal() }
        if let writeFailure {
            outcome = .failed(reason: writeFailure, retryable: false)
        } else if let httpFailure {
            if outcome != .rangeNotSatisfiable { outcome = .failed(reason: httpFailure, retryable: false) }
        } else if let error {
            outcome = .failed(reason: Self.describe(error, url: url, received: receivedThisAttempt), retryable: receivedThisAttempt > 0)
        } else if let total, bytesOnDisk != total {
            outcome = .failed(reason: "the connection closed after \(bytesOnDisk) of \(total) bytes", retryable: receivedThisAttempt > 0)
        } else {
            outcome = .complete
            progress?(report(finished: true))
        }
    }

    private func report(finished: Bool) -> DownloadProgress {
        let elapsed = max(Date().timeIntervalSince(started), 1e-3)
        let rate = Double(receivedThisAttempt) / elapsed
        let eta = (total ?? expectedSize).flatMap { t in rate > 0 ? Double(max(0, t - bytesOnDisk)) / rate : nil }
        return DownloadProgress(file: fileName, bytes: bytesOnDisk, total: total ?? expectedSize, bytesPerSecond: rate,
                                secondsRemaining: finished ? 0 : eta, finished: finished)
    }

    /// A URL loading error in words (Foundation's descriptions on Linux are often generic).
    static func describe(_ error: Error, url: URL, received: Int64) -> String {
        let host = url.host.map { h in url.port.map { "\(h):\($0)" } ?? h } ?? url.absoluteString
        guard let e = error as? URLError else { return (error as NSError).localizedDescription }
        switch e.code {
        case .cannotConnectToHost: return "cannot connect to \(host) (connection refused)"
        case .cannotFindHost, .dnsLookupFailed: return "cannot resolve the host \(host)"
        case .notConnectedToInternet: return "no network connection"
        case .timedOut: return "no answer from \(host) (timed out)"
        case .networkConnectionLost: return "the connection to \(host) was lost after \(received) bytes"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid:
            return "TLS connection to \(host) failed (\(e.localizedDescription))"
        default: return e.code == .unknown ? e.localizedDescription : "\(e.localizedDescription) (URLError \(e.code.rawValue))"
        }
    }
}
