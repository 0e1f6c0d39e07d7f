import Fluent
import Foundation
import KesuCore
import KesuServer
import KesuStore
import SQLKit
import Vapor
import XCTVapor
import XCTest

/// A server test against a fresh database: SQLite in a temporary folder, or PostgreSQL when `DATABASE_URL` is
/// set (its `public` schema is emptied first). The demo organisation and users are created; no complaints.
class KesuTestCase: XCTestCase, @unchecked Sendable {
    var app: Application!
    var dataDirectory: String!
    var tokens: [String: String] = [:]
    /// Set before `super.setUp()` to run the server on a clock the test moves.
    var fixedClock: FixedClock?
    /// Set before `super.setUp()` to add to the server's configuration (a fake gateway's address, say).
    var environment: [String: String] = [:]

    override func setUp() async throws {
        dataDirectory = NSTemporaryDirectory() + "kesu-test-" + UUID().uuidString
        app = try await Self.makeApp(dataDirectory: dataDirectory, fresh: true, clock: fixedClock ?? SystemClock(),
                                     environment: environment)
        _ = try await Bootstrap.seedDemoOrganisation(app)
        _ = try await OrgService(app: app, db: app.db, as: .system).createUser(
            username: "admin", displayName: "管理员", password: Bootstrap.demoPassword, role: .admin, unitCode: "HQ")
    }

    override func tearDown() async throws {
        try await app.asyncShutdown()
        app = nil
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// The test configuration: cheap bcrypt, the given data folder, the environment's DATABASE_URL.
    static func config(dataDirectory: String, environment: [String: String] = [:]) throws -> AppConfig {
        var env = ["KESU_DATA_DIR": dataDirectory, "KESU_BCRYPT_COST": "4"].merging(environment) { $1 }
        if let url = ProcessInfo.processInfo.environment["DATABASE_URL"] { env["DATABASE_URL"] = url }
        return try AppConfig.fromEnvironment(env)
    }

    static var usesPostgres: Bool { ProcessInfo.processInfo.environment["DATABASE_URL"] != nil }

    static func makeApp(dataDirectory: String, fresh: Bool, clock: any KesuCore.Clock = SystemClock(),
                        environment: [String: String] = [:]) async throws -> Application
    {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        try await configure(app, config: try config(dataDirectory: dataDirectory, environment: environment), clock: clock)
        if fresh, usesPostgres, let sql = app.db as? any SQLDatabase {
            try await sql.raw("DROP SCHEMA public CASCADE").run()
            try await sql.raw("CREATE SCHEMA public").run()
        }
        try await app.autoMigrate()
        return app
    }

    // MARK: Calling the API

    struct Reply {
        let status: HTTPStatus
        let headers: HTTPHeaders
        let body: String
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }
        var jsonArray: [[String: Any]]? {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [[String: Any]]
        }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
        var errorMessage: String? { (json["error"] as? [String: Any])?["message"] as? String }
    }

    /// Sends a request; `json` is serialised, `raw` is sent as it is.
    @discardableResult
    func call(_ method: HTTPMethod, _ path: String, as user: String? = nil, json: Any? = nil, raw: String? = nil,
              headers extra: [(String, String)] = []) async throws -> Reply
    {
        var headers = HTTPHeaders()
        if let user { headers.bearerAuthorization = .init(token: try await token(for: user)) }
        var body: ByteBuffer?
        if let json {
            body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
        } else if let raw {
            body = ByteBuffer(string: raw)
        }
        if let body {
            headers.contentType = .json
            headers.replaceOrAdd(name: .contentLength, value: String(body.readableBytes))
        }
        for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
        try await deliverJobs()
        let response = try await app.testable().performTest(
            request: .init(method: method, url: .init(string: path), headers: headers, body: body ?? ByteBuffer()))
        return Reply(status: response.status, headers: response.headers, body: response.body.string)
    }

    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 200)

    /// Posts a multipart form with one file and the given fields.
    func upload(_ path: String, cookie: String?, fileName: String, bytes: [UInt8], fields: [String: String],
                padding: Int = 0) async throws -> Reply
    {
        let boundary = "kesu-test-boundary"
        var body = Data()
        for (name, value) in fields {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
        }
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(fileName)\"\r\nContent-Type: text/html\r\n\r\n".utf8))
        body.append(Data(bytes))
        var buffer = ByteBuffer()
        buffer.writeBytes(body)
        buffer.writeRepeatingByte(0, count: padding)
        buffer.writeString("\r\n--\(boundary)--\r\n")
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        headers.replaceOrAdd(name: .contentLength, value: String(buffer.readableBytes))
        if let cookie { headers.replaceOrAdd(name: .cookie, value: "kesu_session=\(cookie)") }
        let response = try await app.testable().performTest(
            request: .init(method: .POST, url: .init(string: path), headers: headers, body: buffer))
        return Reply(status: response.status, headers: response.headers, body: response.body.string)
    }

    /// A token for a demo user, logged in once per test.
    func token(for username: String) async throws -> String {
        if let token = tokens[username] { return token }
        let reply = try await call(.POST, "/api/v1/auth/token",
                                   json: ["username": username, "password": Bootstrap.demoPassword])
        guard reply.status == .ok, let token = reply.json["token"] as? String else {
            XCTFail("login as \(username) failed: \(reply.status) \(reply.body)")
            throw Abort(.unauthorized)
        }
        tokens[username] = token
        return token
    }

    static var defaultComplaint: [String: Any] {
        [
        "channel": "phone",
        "customer": ["name": "王芳", "phone": "13812345678"],
        "waybillNumbers": ["YT1234567890"],
        "description": "快递员没有送货上门，直接放驿站了。",
        ]
    }

    /// Records a complaint as `user` with the default body changed by `changes`.
    @discardableResult
    func record(as user: String = "agent", _ changes: [String: Any] = [:], key: String? = nil) async throws -> Reply {
        var body = Self.defaultComplaint
        for (k, v) in changes { body[k] = v }
        return try await call(.POST, "/api/v1/complaints", as: user, json: body,
                              headers: key.map { [("Idempotency-Key", $0)] } ?? [])
    }

    /// Records a complaint and returns its number.
    func recordedNumber(as user: String = "agent", _ changes: [String: Any] = [:]) async throws -> String {
        let reply = try await record(as: user, changes)
        guard let number = reply.json["number"] as? String else {
            XCTFail("recording failed: \(reply.status) \(reply.body)")
            throw Abort(.internalServerError)
        }
        return number
    }

    /// Logs a demo user in through the login form; the session cookie's value.
    func session(_ username: String) async throws -> String {
        let reply = try await call(.POST, "/login", raw: "username=\(username)&password=\(Bootstrap.demoPassword)",
                                   headers: [("Content-Type", "application/x-www-form-urlencoded")])
        return try XCTUnwrap(reply.headers.setCookie?["kesu_session"]?.string)
    }

    /// The form token (`_csrf`) in a page.
    func formToken(in html: String) throws -> String {
        let range = try XCTUnwrap(html.range(of: #"name="_csrf" value="([0-9a-f]+)""#, options: .regularExpression))
        return try XCTUnwrap(html[range].split(separator: "\"").dropFirst(3).first.map(String.init))
    }

    /// Runs the scheduler twice (the second run must fire nothing new) and counts the breach events of the clocks
    /// called `clockName` (e.g. 调查回复).
    func breachesAfterTwoTicks(of clockName: String) async throws -> Int? {
        let scheduler = ClockScheduler(services: app.kesu, db: app.db, logger: app.logger)
        _ = try await scheduler.tick()
        _ = try await scheduler.tick()
        return try await app.db.sql.raw("""
            SELECT COUNT(*) AS n FROM complaint_events WHERE kind = 'clock_breached' AND note LIKE \(bind: "%\(clockName)%")
            """).first()?.decode(column: "n", as: Int.self)
    }

    /// Runs the work queue, as a serving instance's background loop would have done by the next request.
    @discardableResult
    func deliverJobs() async throws -> JobRunner.Tally {
        try await JobRunner(services: app.kesu, db: app.db, logger: app.logger).runDue()
    }

    func count(_ table: String) async throws -> Int {
        try await deliverJobs()
        let row = try await app.db.sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()
        return try row?.decode(column: "n", as: Int.self) ?? -1
    }
}
