import FluentKit
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KesuServer
import SQLKit
import Vapor
import XCTVapor
import XCTest

/// Kesu as it is deployed: the built binary started from a folder that is not the checkout, several instances
/// starting together on one empty database, and a database that cannot be reached.
final class DeploymentTests: XCTestCase, @unchecked Sendable {
    var folder: String!

    override func setUp() async throws {
        folder = NSTemporaryDirectory() + "kesu-deploy-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    func environment(port: Int) -> [String: String] {
        ["KESU_DATA_DIR": folder + "/data", "KESU_PORT": String(port), "KESU_BCRYPT_COST": "4",
         "KESU_SCHEDULER_INTERVAL_MS": "0", "LOG_LEVEL": "warning"]
    }

    /// Empties the test's PostgreSQL schema (SQLite starts from the empty folder anyway).
    func emptyDatabase() async throws {
        guard KesuTestCase.usesPostgres else { return }
        let app = try await Application.make(.testing)
        try await configure(app, config: try KesuTestCase.config(dataDirectory: folder + "/data"))
        try await (app.db as? any SQLDatabase)?.raw("DROP SCHEMA public CASCADE").run()
        try await (app.db as? any SQLDatabase)?.raw("CREATE SCHEMA public").run()
        try await app.asyncShutdown()
    }

    func testTheBinaryStartedFromAnotherFolderServesItsPages() async throws {
        try await emptyDatabase()
        let port = try KesuProcess.freePort()
        let elsewhere = folder + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        let kesu = try KesuProcess.start(["serve", "--demo"], environment: environment(port: port), in: elsewhere,
                                         output: folder + "/serve.out")
        defer { kesu.stop() }
        try await kesu.waitUntilServing(port: port)
        for (path, mark) in [("/login", "name=\"password\""), ("/portal", "<form"), ("/css/kesu.css", "{")] {
            let reply = await KesuProcess.get(path, port: port)
            XCTAssertEqual(reply?.status, 200, path)
            XCTAssertTrue(reply?.body.contains(mark) == true, "\(path): \(reply?.body.prefix(200) ?? "no answer")")
        }
        // Logged in, the queue page renders.
        let session = URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)
        var login = URLRequest(url: try XCTUnwrap(URL(string: "http://127.0.0.1:\(port)/login")))
        login.httpMethod = "POST"
        login.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        login.httpBody = Data("username=agent&password=kesu-demo-2026&next=/complaints".utf8)
        let (_, response) = try await session.data(for: login)
        let cookie = try XCTUnwrap((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Set-Cookie"))
        var queue = URLRequest(url: try XCTUnwrap(URL(string: "http://127.0.0.1:\(port)/complaints")))
        queue.setValue(String(cookie.prefix { $0 != ";" }), forHTTPHeaderField: "Cookie")
        let (data, page) = try await session.data(for: queue)
        XCTAssertEqual((page as? HTTPURLResponse)?.statusCode, 200)
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains("KS20"), "the queue lists demo complaints")
    }

    /// Hands back a redirect as it is, so its cookie can be read.
    final class NoRedirects: NSObject, URLSessionTaskDelegate, Sendable {
        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
            completionHandler(nil)
        }
    }

    func testItRefusesToStartWithoutItsTemplates() async throws {
        let port = try KesuProcess.freePort()
        var env = environment(port: port)
        env["KESU_RESOURCES_DIR"] = folder
        let kesu = try KesuProcess.start(["serve"], environment: env, output: folder + "/serve.out")
        kesu.process.waitUntilExit()
        XCTAssertNotEqual(kesu.process.terminationStatus, 0)
        XCTAssertTrue(kesu.errors.contains("KESU_RESOURCES_DIR"), kesu.errors)
        XCTAssertTrue(kesu.errors.contains("Views/"), kesu.errors)
    }

    func testTwoInstancesStartingTogetherMigrateOnceAndMakeOneAdmin() async throws {
        try await emptyDatabase()
        let ports = [try KesuProcess.freePort(), try KesuProcess.freePort()]
        let instances = try ports.enumerated().map { i, port in
            try KesuProcess.start(["serve"], environment: environment(port: port), output: folder + "/serve\(i).out")
        }
        defer { instances.forEach { $0.stop() } }
        for (kesu, port) in zip(instances, ports) { try await kesu.waitUntilServing(port: port) }
        let shown = instances.filter { $0.printed.contains("First admin login") }
        XCTAssertEqual(shown.count, 1, "one instance made the admin and showed its password once")

        let app = try await Application.make(.testing)
        try await configure(app, config: try KesuTestCase.config(dataDirectory: folder + "/data"))
        let sql = try XCTUnwrap(app.db as? any SQLDatabase)
        let admins = try await sql.raw("SELECT COUNT(*) AS n FROM users WHERE role = 'admin'").first()
        XCTAssertEqual(try admins?.decode(column: "n", as: Int.self), 1)
        let runs = try await sql.raw("SELECT COUNT(*) AS n, COUNT(DISTINCT name) AS d FROM _fluent_migrations").first()
        let n = try runs?.decode(column: "n", as: Int.self), d = try runs?.decode(column: "d", as: Int.self)
        XCTAssertEqual(n, d, "each migration ran once")
        XCTAssertGreaterThan(n ?? 0, 5)
        try await app.asyncShutdown()
        for kesu in instances { XCTAssertFalse(kesu.errors.contains("error"), kesu.errors.suffix(1_000).description) }
    }

    /// With the database down, a login is not "wrong password" and a session is not "logged out": both get 503.
    func testADatabaseOutageIsA503() async throws {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .critical
        do {
            try await outage(app)
        } catch {
            try await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    private func outage(_ app: Application) async throws {
        let closed = try KesuProcess.freePort()
        let config = try AppConfig.fromEnvironment([
            "KESU_DATA_DIR": folder + "/data", "DATABASE_URL": "postgres://kesu:kesu@127.0.0.1:\(closed)/kesu",
        ])
        try await configure(app, config: config)
        let tester = try app.testable()

        try await tester.test(.POST, "/api/v1/auth/token", beforeRequest: { req async throws in
            try req.content.encode(["username": "agent", "password": "kesu-demo-2026"], as: .json)
        }, afterResponse: { res async in
            XCTAssertEqual(res.status, .serviceUnavailable, res.body.string)
            XCTAssertTrue(res.body.string.contains("\"unavailable\""), res.body.string)
            XCTAssertNotNil(res.headers.first(name: .retryAfter))
        })
        try await tester.test(.POST, "/login", headers: ["Accept": "text/html"], beforeRequest: { req async throws in
            try req.content.encode(["username": "agent", "password": "kesu-demo-2026"], as: .urlEncodedForm)
        }, afterResponse: { res async in
            XCTAssertEqual(res.status, .serviceUnavailable)
            XCTAssertTrue(res.body.string.contains("数据库暂时无法连接"), res.body.string.prefix(500).description)
            XCTAssertFalse(res.body.string.contains("用户名或密码错误"))
        })
        try await tester.test(.GET, "/complaints", headers: ["Accept": "text/html", "Cookie": "kesu_session=ks_x"],
                              afterResponse: { res async in
            XCTAssertEqual(res.status, .serviceUnavailable, "an outage is not a logged-out session")
        })
    }
}
