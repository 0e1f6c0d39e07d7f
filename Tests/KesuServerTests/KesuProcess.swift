import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// A `kesu` process started by a test: the executable `swift build` made beside the test bundle, run with the
/// given arguments, environment additions and working directory, its output kept in files.
struct KesuProcess {
    let process: Process
    let output: String

    /// The `kesu` executable beside this test bundle.
    static func executable() throws -> URL {
        let bundle = Bundle(for: KesuTestCase.self).bundleURL
        let candidates = [bundle.appendingPathComponent("kesu"),
                          bundle.deletingLastPathComponent().appendingPathComponent("kesu")]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            XCTFail("no kesu executable beside \(bundle.path); `swift build --build-tests` makes it")
            throw CancellationError()
        }
        return found
    }

    static func start(_ arguments: [String], environment: [String: String], in folder: String? = nil,
                      output: String) throws -> KesuProcess {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
        FileManager.default.createFile(atPath: output, contents: nil)
        FileManager.default.createFile(atPath: output + ".err", contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle(forWritingAtPath: output + ".err")
        try process.run()
        return KesuProcess(process: process, output: output)
    }

    var printed: String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }
    var errors: String { (try? String(contentsOfFile: output + ".err", encoding: .utf8)) ?? "" }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// A TCP port nothing listens on just now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw CancellationError() }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// GETs `path` on the local port; nil while nothing answers.
    static func get(_ path: String, port: Int) async -> (status: Int, body: String)? {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { return nil }
        var request = URLRequest(url: url, timeoutInterval: 5)
        request.setValue("text/html", forHTTPHeaderField: "Accept")
        guard let (data, response) = try? await URLSession.shared.data(for: request),
              let http = response as? HTTPURLResponse else { return nil }
        return (http.statusCode, String(decoding: data, as: UTF8.self))
    }

    /// Waits until the process answers `/health` with 200, or fails the test.
    func waitUntilServing(port: Int, seconds: Double = 120) async throws {
        let deadline = Date() + seconds
        while Date() < deadline {
            if let health = await Self.get("/health", port: port), health.status == 200 { return }
            guard process.isRunning else {
                XCTFail("kesu exited (\(process.terminationStatus)) before serving: \(errors.suffix(2_000))")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTFail("kesu did not serve on \(port) within \(seconds) s: \(errors.suffix(2_000))")
        throw CancellationError()
    }
}
