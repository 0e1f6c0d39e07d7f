import Foundation
import KesuCore
@testable import KesuServer
import KesuStore
import Logging
import NIOConcurrencyHelpers
import Vapor
import XCTest

/// The holes found probing Kesu from outside, each closed: one test per finding.
final class SecurityTests: KesuTestCase, @unchecked Sendable {
    let formHeaders = [("Content-Type", "application/x-www-form-urlencoded")]

    func apiLogin(_ username: String, _ password: String, from source: String? = nil) async throws -> Reply {
        try await call(.POST, "/api/v1/auth/token", json: ["username": username, "password": password],
                       headers: source.map { [("X-Forwarded-For", $0)] } ?? [])
    }

    func webLogin(_ username: String, _ password: String) async throws -> Reply {
        try await call(.POST, "/login", raw: "username=\(username)&password=\(password)&next=/complaints",
                       headers: formHeaders)
    }

    /// Lets tests say where a request comes from: the in-memory peer (no address) is taken for a trusted proxy,
    /// so `X-Forwarded-For` names the source, as behind a real balancer.
    func trustForwardedFor() {
        var config = app.kesu.config
        config.trustedProxies = ["unknown"]
        app.kesu = KesuServices(config: config, clock: app.kesu.clock, triage: app.kesu.triage)
    }

    // 1. The API login shares the pages' throttle.
    func testAPILoginIsThrottledLikeTheWebLogin() async throws {
        for attempt in 1...5 {
            let wrong = try await apiLogin("agent", "wrong-password-\(attempt)")
            XCTAssertEqual(wrong.status, .unauthorized)
        }
        let locked = try await apiLogin("agent", Bootstrap.demoPassword)
        XCTAssertEqual(locked.status, .tooManyRequests, locked.body)
        XCTAssertEqual(locked.errorCode, "too_many_requests")
        XCTAssertNotNil(locked.headers.first(name: .retryAfter).flatMap(Int.init))
        XCTAssertNil(locked.json["token"])
        let web = try await webLogin("agent", Bootstrap.demoPassword)
        XCTAssertEqual(web.status, .tooManyRequests, "the pages see the API's failures")
        XCTAssertNil(web.headers.setCookie?["kesu_session"])
        // Another account is not locked by one account's failures.
        let other = try await apiLogin("supervisor", Bootstrap.demoPassword)
        XCTAssertEqual(other.status, .ok, other.body)
    }

    /// A flood of one account from many addresses locks that account, for a bounded time; a flood from one
    /// address with made-up names locks that address; neither locks anyone else out.
    func testFloodsLockWhatTheyAttackAndNobodyElse() async throws {
        trustForwardedFor()
        for i in 0..<20 { _ = try await apiLogin("agent", "guess-\(i)", from: "198.51.100.\(i)") }
        let owner = try await apiLogin("agent", Bootstrap.demoPassword, from: "203.0.113.9")
        XCTAssertEqual(owner.status, .tooManyRequests, "twenty addresses guessing one account lock it")
        let bystander = try await apiLogin("supervisor", Bootstrap.demoPassword, from: "198.51.100.1")
        XCTAssertEqual(bystander.status, .ok, "the guessing addresses still log in as others")

        for i in 0..<30 { _ = try await apiLogin("made-up-\(i)", "guess", from: "192.0.2.77") }
        let fromFlooder = try await apiLogin("quality", Bootstrap.demoPassword, from: "192.0.2.77")
        XCTAssertEqual(fromFlooder.status, .tooManyRequests, "the flooding address is locked")
        let fromElsewhere = try await apiLogin("quality", Bootstrap.demoPassword, from: "203.0.113.10")
        XCTAssertEqual(fromElsewhere.status, .ok, "the account it named is not")
    }

    // 2. An unknown username costs the same bcrypt work as a known one.
    func testUnknownUsernamesCostTheSameAsKnownOnes() async throws {
        var config = app.kesu.config
        config.bcryptCost = 10
        app.kesu = KesuServices(config: config, clock: app.kesu.clock, triage: app.kesu.triage)
        _ = try await OrgService(app: app, db: app.db, as: .system).createUser(
            username: "slow", displayName: "慢", password: "a-good-password", role: .agent, unitCode: "HQ")
        let auth = AuthService(app: app)
        func fastest(_ username: String, sources: String) async throws -> TimeInterval {
            var best = TimeInterval.infinity
            for i in 0..<3 {
                let start = Date()
                _ = try? await auth.login(username: username, password: "not-the-password", source: "\(sources)-\(i)",
                                          on: app.db)
                best = min(best, Date().timeIntervalSince(start))
            }
            return best
        }
        _ = try? await auth.login(username: "warm-up", password: "x-x-x-x-x", source: "warm", on: app.db)
        let known = try await fastest("slow", sources: "a")
        let unknown = try await fastest("nobody-by-this-name", sources: "b")
        // Cost 10 is tens of milliseconds of bcrypt; a database look-up alone is a fraction of one.
        XCTAssertGreaterThan(unknown, known * 0.5, "unknown \(unknown)s vs known \(known)s")
    }

    // 3. Made-up usernames cannot empty the lock, and the lock holds across instances.
    func testMadeUpUsernamesCannotEmptyTheLockAndItHoldsAcrossInstances() async throws {
        app.throttle = Throttle(keep: 10, pruneEvery: 1)
        for i in 0..<5 { _ = try await apiLogin("agent", "wrong-\(i)") }
        let auth = AuthService(app: app)
        for i in 0..<60 {
            _ = try? await auth.login(username: "ghost-\(i)", password: "guess", source: "192.0.2.\(i % 250)",
                                      on: app.db)
        }
        let kept = try await ThrottleStore.count(on: app.db)
        XCTAssertLessThanOrEqual(kept, 13, "the table stays bounded (10 kept + the locked keys)")
        let still = try await apiLogin("agent", Bootstrap.demoPassword)
        XCTAssertEqual(still.status, .tooManyRequests, "the locked account stays locked")

        // A second instance on the same database refuses it too.
        let second = try await Self.makeApp(dataDirectory: dataDirectory, fresh: false)
        do {
            let other = try await AuthService(app: second).login(username: "agent", password: Bootstrap.demoPassword,
                                                                  source: "unknown", on: second.db)
            XCTFail("the second instance let \(other.username) in")
        } catch is TooManyAttempts {}
        try await second.asyncShutdown()
    }

    func testPruningKeepsLockedKeysAndDropsTheOldestOthers() async throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let rule = ThrottleRule(name: "t", limit: 2, firstLock: 600, maxLock: 600, forgetAfter: 3_600)
        for i in 0..<2 {
            try await ThrottleStore.recordFailure(rule.key("locked"), rule: rule, now: now + Double(i), on: app.db)
        }
        for i in 0..<20 {
            try await ThrottleStore.recordFailure(rule.key("k\(i)"), rule: rule, now: now + 10 + Double(i), on: app.db)
        }
        try await ThrottleStore.prune(now: now + 100, forgetAfter: 3_600, keep: 5, on: app.db)
        let state = try await ThrottleStore.state(keys: [rule.key("locked"), rule.key("k0"), rule.key("k19")],
                                                  now: now + 100, on: app.db)
        XCTAssertNotNil(state.lockedUntil, "the locked key survives")
        XCTAssertEqual(state.known, [rule.key("locked"), rule.key("k19")], "the oldest unlocked keys went first")
        let left = try await ThrottleStore.count(on: app.db)
        XCTAssertEqual(left, 5)
        // Long after, forgotten keys go; the count starts again from one.
        try await ThrottleStore.prune(now: now + 7_200, forgetAfter: 3_600, keep: 5, on: app.db)
        let none = try await ThrottleStore.count(on: app.db)
        XCTAssertEqual(none, 0)
    }

    // 4. One's own success does not reset the portal's count, and guesses count per complaint number too.
    func testPortalGuessesAreCountedPerNumberAndNeverResetByAnotherSuccess() async throws {
        trustForwardedFor()
        let mine = try await recordedNumber()
        let target = try await recordedNumber(as: "agent", ["customer": ["name": "李娜", "phone": "13912345678"]])
        func track(_ number: String, _ phone: String, from source: String) async throws -> Reply {
            try await call(.POST, "/portal/track", raw: "number=\(number)&phone=\(phone)",
                           headers: formHeaders + [("X-Forwarded-For", source)])
        }
        var statuses: [HTTPStatus] = []
        for round in 0..<3 {
            for guess in 0..<4 {
                statuses.append(try await track(target, "139123400\(round)\(guess)", from: "198.51.100.5").status)
            }
            statuses.append(try await track(mine, "13812345678", from: "198.51.100.5").status)
        }
        XCTAssertTrue(statuses.suffix(5).allSatisfy { $0 == .tooManyRequests }, "\(statuses)")
        let right = try await track(target, "13912345678", from: "198.51.100.5")
        XCTAssertEqual(right.status, .tooManyRequests, "the address stays locked even for a right answer")

        // From many addresses, one number's count still locks it.
        let fresh = try await recordedNumber(as: "agent", ["customer": ["name": "张伟", "phone": "13700001111"]])
        for i in 0..<5 { _ = try await track(fresh, "1370000222\(i)", from: "192.0.2.\(i + 1)") }
        let owner = try await track(fresh, "13700001111", from: "203.0.113.50")
        XCTAssertEqual(owner.status, .tooManyRequests, "the number is locked whoever asks")
        let otherNumber = try await track(mine, "13812345678", from: "203.0.113.51")
        XCTAssertEqual(otherNumber.status, .seeOther, "other numbers are not")
    }

    // 5. A body that is not JSON is refused with 415, never 500, on every operation that takes one.
    func testWrongContentTypeIsRefusedWith415() async throws {
        let complaint = try await call(.POST, "/api/v1/complaints", as: "agent", raw: "description=x",
                                       headers: [("Content-Type", "text/plain")])
        XCTAssertEqual(complaint.status, .unsupportedMediaType, complaint.body)
        XCTAssertEqual(complaint.errorCode, "unsupported_media_type")
        let login = try await call(.POST, "/api/v1/auth/token", raw: "username=agent",
                                   headers: [("Content-Type", "text/plain")])
        XCTAssertEqual(login.status, .unsupportedMediaType, login.body)
        let number = try await recordedNumber()
        // Every API route that takes a body, with its parameters filled in.
        var checked = 0
        for route in app.routes.all where [.POST, .PUT, .PATCH].contains(route.method) {
            let parts = route.path.map { component -> String in
                switch component {
                case .constant(let name): name
                case .parameter(let name): name == "number" ? number : name == "role" ? "agent"
                    : name == "day" ? "2026-12-25" : name == "waybill" ? "YT1234567890" : UUID().uuidString
                default: "x"
                }
            }
            guard parts.starts(with: ["api", "v1"]) else { continue }
            let path = "/" + parts.joined(separator: "/")
            let reply = try await call(route.method, path, as: "admin", raw: "hello",
                                       headers: [("Content-Type", "text/plain")])
            XCTAssertLessThan(reply.status.code, 500, "\(route.method) \(path): \(reply.body)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 15)
        let complaints = try await count("complaints")
        XCTAssertEqual(complaints, 1, "nothing was recorded")
    }

    // 6. Control characters are refused with a 400 naming the field, on both databases alike.
    func testControlCharactersAreRefusedNamingTheField() async throws {
        let nul = try await record(as: "agent", ["description": "快递\u{0}没有送货"])
        XCTAssertEqual(nul.status, .badRequest, nul.body)
        XCTAssertNotNil((nul.json["error"] as? [String: Any]).flatMap { $0["details"] as? [String: Any] }?["description"])
        let nested = try await record(as: "agent", ["customer": ["name": "王\u{7}芳", "phone": "13812345678"]])
        XCTAssertEqual(nested.status, .badRequest)
        XCTAssertTrue(nested.errorMessage?.contains("customer.name") == true, nested.body)
        let query = try await call(.GET, "/api/v1/complaints?assignee=%00x", as: "agent")
        XCTAssertEqual(query.status, .badRequest, query.body)
        XCTAssertTrue(query.errorMessage?.contains("assignee") == true)
        let path = try await call(.GET, "/api/v1/complaints/KS%00", as: "agent")
        XCTAssertEqual(path.status, .badRequest)
        let complaints = try await count("complaints")
        XCTAssertEqual(complaints, 0, "nothing was stored")

        // Tabs and new lines are text; a number recorded with them still works.
        let number = try await recordedNumber(as: "agent", ["description": "第一行\n\t第二行\r\n第三行"])
        let note = try await call(.POST, "/api/v1/complaints/\(number)/notes", as: "agent",
                                  json: ["body": "已联系\u{0}客户", "customerVisible": false])
        XCTAssertEqual(note.status, .badRequest)

        // The pages answer in the reader's language, naming the form's field.
        let session = try await session("agent")
        let page = try await call(.POST, "/complaints/\(number)/notes",
                                  raw: "body=%E5%B7%B2%00%E8%81%94%E7%B3%BB&_csrf=x",
                                  headers: formHeaders + [("Cookie", "kesu_session=\(session)"), ("Accept", "text/html")])
        XCTAssertEqual(page.status, .badRequest, page.body)
        XCTAssertTrue(page.body.contains("控制字符"), page.body)
        XCTAssertTrue(page.body.contains("body"))
        let portal = try await call(.POST, "/portal/track", raw: "number=KS%C2%85&phone=1", headers: formHeaders)
        XCTAssertEqual(portal.status, .badRequest)
    }

    // 7. Root causes without a code get codes that do not collide; real duplicates are a 409.
    func testRootCausesWithoutCodesNeverCollide() async throws {
        var codes: Set<String> = []
        for i in 0..<5 {
            let reply = try await call(.POST, "/api/v1/root-causes", as: "admin",
                                       json: ["name": "新根因\(i)", "systemic": false])
            XCTAssertEqual(reply.status, .ok, reply.body)
            if let code = reply.json["code"] as? String { codes.insert(code) }
        }
        XCTAssertEqual(codes.count, 5)
        let sameName = try await call(.POST, "/api/v1/root-causes", as: "admin", json: ["name": "新根因0", "systemic": true])
        XCTAssertEqual(sameName.status, .conflict)

        // Two requests racing to create the same new code: one wins, the other hears 409, never 500.
        _ = try await token(for: "admin") // logged in once, before the racing calls share the token
        async let first = call(.POST, "/api/v1/root-causes", as: "admin",
                               json: ["code": "race", "name": "并发一", "systemic": false])
        async let second = call(.POST, "/api/v1/root-causes", as: "admin",
                                json: ["code": "race", "name": "并发二", "systemic": false])
        let statuses = try await [first.status, second.status]
        XCTAssertTrue(statuses.allSatisfy { $0 == .ok || $0 == .conflict }, "\(statuses)")
        XCTAssertTrue(statuses.contains(.ok))
    }

    // 8. No credential reaches the log, even when a request fails on the server.
    func testFaultsAreLoggedWithoutCredentials() async throws {
        let sink = LogSink()
        app.logger = Logger(label: "test") { _ in sink.handler }
        let token = try await token(for: "agent")
        let session = try await session("agent")
        // A fault: the notifications table is gone.
        try await app.db.sql.raw("DROP TABLE notifications").run()
        let api = try await call(.GET, "/api/v1/notifications", as: "agent",
                                 headers: [("Cookie", "kesu_session=\(session)"), ("X-CSRF-Token", "csrf-secret")])
        XCTAssertEqual(api.status, .internalServerError)
        XCTAssertEqual(api.errorMessage, "Something went wrong on our side.")
        let page = try await call(.GET, "/notifications", headers: [("Cookie", "kesu_session=\(session)"),
                                                                    ("Accept", "text/html")])
        XCTAssertEqual(page.status.code / 100, 5)
        let logged = sink.text
        XCTAssertTrue(logged.contains("request failed") || logged.contains("page failed"), logged)
        XCTAssertTrue(logged.contains("request-id"), "faults are logged under a request id")
        for secret in [token, session, "Bearer", "authorization", "csrf-secret", "kesu_session"] {
            XCTAssertFalse(logged.lowercased().contains(secret.lowercased()), "the log holds \(secret)")
        }
    }

    // 9. The phone lookup at intake shows only customers the caller may see.
    func testPhoneLookupShowsOnlyCustomersTheCallerMaySee() async throws {
        let number = try await recordedNumber(as: "agent", ["customer": ["name": "何先生", "phone": "13511112222"]])
        _ = try await call(.PATCH, "/api/v1/complaints/\(number)", as: "supervisor", json: ["outlet": "GZ-TH"])
        func lookup(_ user: String) async throws -> Reply {
            let session = try await session(user)
            return try await call(.GET, "/complaints/new/lookup?phone=13511112222",
                                  headers: [("Cookie", "kesu_session=\(session)")])
        }
        let outlet = try await lookup("outlet-pd")
        XCTAssertEqual(outlet.status, .ok)
        XCTAssertFalse(outlet.body.contains("何先生"), outlet.body)
        XCTAssertFalse(outlet.body.contains(number))
        let hq = try await lookup("agent")
        XCTAssertTrue(hq.body.contains("何先生"))
        XCTAssertTrue(hq.body.contains(number))
    }

    // Also found: unknown methods on known paths, and the start-up banner.
    func testUnknownMethodsOnKnownPathsAre405() async throws {
        let reply = try await call(.DELETE, "/api/v1/complaints", as: "agent")
        XCTAssertEqual(reply.status, .methodNotAllowed, reply.body)
        XCTAssertEqual(reply.headers.first(name: .allow), "GET, POST")
        let unknown = try await call(.DELETE, "/api/v1/no-such-thing", as: "agent")
        XCTAssertEqual(unknown.status, .notFound)
        let page = try await call(.DELETE, "/portal/track", headers: [("Accept", "text/html")])
        XCTAssertEqual(page.status, .methodNotAllowed, "pages too")
        XCTAssertEqual(page.headers.first(name: .allow), "GET, POST")
    }

    func testBannerNamesThePortServeListensOn() {
        let config = app.kesu.config
        XCTAssertEqual(KesuMain.listenAddress(config: config, arguments: ["kesu", "serve", "--port", "9090"]),
                       "http://127.0.0.1:9090")
        XCTAssertEqual(KesuMain.listenAddress(config: config, arguments: ["kesu", "serve", "--hostname=0.0.0.0", "-p", "81"]),
                       "http://0.0.0.0:81")
        XCTAssertEqual(KesuMain.listenAddress(config: config, arguments: ["kesu", "serve", "--bind", "10.1.2.3:7000"]),
                       "http://10.1.2.3:7000")
        XCTAssertEqual(KesuMain.listenAddress(config: config, arguments: ["kesu", "serve"]), "http://127.0.0.1:8080")
    }
}

/// Collects everything logged, for tests that read the log.
final class LogSink: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])
    var text: String { lines.withLockedValue { $0.joined(separator: "\n") } }
    func append(_ line: String) { lines.withLockedValue { $0.append(line) } }
    var handler: CapturingLogHandler { CapturingLogHandler(sink: self) }
}

/// A log handler that writes every message, with its metadata, into a ``LogSink``.
struct CapturingLogHandler: LogHandler {
    let sink: LogSink
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        let all = metadata.merging(extra ?? [:]) { $1 }
        let meta = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        sink.append("\(level) \(message) \(meta)")
    }
}
