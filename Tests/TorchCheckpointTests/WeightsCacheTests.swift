import Foundation
import OFATestSupport
import Testing
import TorchCheckpoint

/// The weights cache is found from the environment exactly as `Scripts/fetch-weights.sh` finds it.
struct WeightsCacheTests {
    @Test func followsTheFetchScript() {
        #expect(WeightsCache.directory(environment: ["OFA_WEIGHTS_DIR": "/w", "HOME": "/h"]).path == "/w")
        #expect(WeightsCache.directory(environment: ["OFA_WEIGHTS_DIR": "", "HOME": "/h"]).path
                == "/h/.cache/ofa-search/weights")
        #expect(WeightsCache.efficientNetLite0Path(environment: ["HOME": "/tmp/other-home"]).path
                == "/tmp/other-home/.cache/ofa-search/weights/efficientnet-lite0-57934424.pth")
    }

    /// The script's own `dir=` line, evaluated by bash, names the same directory.
    @Test(arguments: [["HOME": "/tmp/other-home"], ["HOME": "/h", "OFA_WEIGHTS_DIR": "/w"],
                      ["HOME": "/h", "OFA_WEIGHTS_DIR": ""]])
    func agreesWithTheScript(_ environment: [String: String]) throws {
        let script = try String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("Scripts/fetch-weights.sh"),
                                encoding: .utf8)
        let line = try #require(script.split(separator: "\n").first { $0.hasPrefix("dir=") })
        let bash = Process(), out = Pipe()
        bash.executableURL = URL(fileURLWithPath: "/bin/bash")
        bash.arguments = ["-c", "\(line); printf %s \"$dir\""]
        bash.environment = environment
        bash.standardOutput = out
        try bash.run()
        bash.waitUntilExit()
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(printed == WeightsCache.directory(environment: environment).path)
    }
}
