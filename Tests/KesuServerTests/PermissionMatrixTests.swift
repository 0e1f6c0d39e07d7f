import FluentKit
import Foundation
import KesuCore
import KesuServer
import KesuStore
import SQLKit
import Vapor
import XCTest

/// Every API operation and every page × every role, on a subject of the caller's own unit and of a foreign one, and
/// logged out, and as the customer of another complaint: the answer each gets against ``PermissionMatrix``.
final class PermissionMatrixTests: KesuTestCase, @unchecked Sendable {
    /// What a request came to: let through to the use case, refused, or sent to log in.
    enum Outcome: String { case passed, refused, login }

    /// One side of the matrix: a complaint with all its things, owned by one outlet.
    struct Side {
        var unit = "", number = "", proposal = "", task = "", inquiry = "", rectification = "", file = ""
        var token = "", victim = "", closed = ""
    }

    enum Caller: CustomStringConvertible {
        case anonymous, otherCustomer
        case staff(Role, own: Bool)
        var description: String {
            switch self {
            case .anonymous: "logged out"
            case .otherCustomer: "customer of another complaint"
            case .staff(let role, let own): "\(role.rawValue) on \(own ? "own" : "foreign") unit"
            }
        }
    }

    var own = Side(), foreign = Side()
    var counter = 0
    var sessions: [String: (cookie: String, csrf: String)] = [:]

    /// A user of each role at the region above the own outlet (outlet staff at the outlet itself).
    func matrixUser(_ role: Role) -> String { "m-\(role.rawValue)" }

    override func setUp() async throws {
        try await super.setUp()
        let org = OrgService(app: app, db: app.db, as: .system)
        for role in Role.allCases {
            _ = try await org.createUser(username: matrixUser(role), displayName: "矩阵 \(role.rawValue)",
                                         password: Bootstrap.demoPassword, role: role,
                                         unitCode: role == .outlet ? "SH-PD" : "R-EAST")
        }
        _ = try await call(.PUT, "/api/v1/shipments/YT9990000", as: "ops-system",
                           json: ["serviceFeeFen": 1200, "itemKind": "documents", "trackingEvents": []])
        own = try await makeSide(outlet: "SH-PD", phone: "13800001111")
        foreign = try await makeSide(outlet: "GZ-TH", phone: "13800002222")
    }

    /// A complaint routed to `outlet` with a proposal accepted into a task, a question to the outlet, a customer's
    /// file and link, and a closed sibling complaint whose rectification the outlet owes.
    func makeSide(outlet: String, phone: String) async throws -> Side {
        var side = Side(unit: outlet, victim: "victim-\(outlet.lowercased())")
        _ = try await OrgService(app: app, db: app.db, as: .system).createUser(
            username: side.victim, displayName: "受测", password: Bootstrap.demoPassword, role: .outlet, unitCode: outlet)
        side.number = try await routedNumber(outlet, phone)
        for status in ["triaged", "proposing"] { try await expect(.ok, .POST, "/complaints/\(side.number)/transitions", ["to": status]) }
        let proposal = try await call(.POST, "/api/v1/complaints/\(side.number)/proposals", as: "agent",
                                      json: ["kind": "coupon", "amountFen": 1000, "description": "致歉券"])
        side.proposal = try XCTUnwrap(proposal.json["id"] as? String, proposal.body)
        try await expect(.ok, .POST, "/complaints/\(side.number)/proposals/\(side.proposal)/offer", nil)
        try await expect(.ok, .POST, "/complaints/\(side.number)/proposals/\(side.proposal)/decision", ["accepted": true])
        let tasks = try await call(.GET, "/api/v1/complaints/\(side.number)/tasks", as: "agent")
        side.task = try XCTUnwrap(tasks.jsonArray?.first?["id"] as? String, tasks.body)
        let inquiry = try await call(.POST, "/api/v1/complaints/\(side.number)/inquiries", as: "agent",
                                     json: ["unit": outlet, "question": "请核实签收情况"])
        side.inquiry = try XCTUnwrap(inquiry.json["id"] as? String, inquiry.body)
        let tracked = try await call(.POST, "/portal/track", raw: "number=\(side.number)&phone=\(phone)",
                                     headers: [("Content-Type", "application/x-www-form-urlencoded")])
        side.token = try XCTUnwrap(tracked.headers.first(name: .location)?.split(separator: "/").last.map(String.init))
        let uploaded = try await upload("/t/\(side.token)/attachments", cookie: nil, fileName: "photo.png",
                                        bytes: Self.png, fields: [:])
        XCTAssertEqual(uploaded.status, .seeOther, uploaded.body)
        let file = try await app.db.sql.raw("""
            SELECT a.id FROM attachments a JOIN complaints c ON c.id = a.complaint_id WHERE c.number = \(bind: side.number)
            """).first()
        side.file = try XCTUnwrap(try file?.decode(column: "id", as: UUID.self).uuidString)

        let closed = try await routedNumber(outlet, phone)
        side.closed = closed
        for status in ["triaged", "executing", "follow_up"] {
            try await expect(.ok, .POST, "/complaints/\(closed)/transitions", ["to": status])
        }
        try await expect(.ok, .POST, "/complaints/\(closed)/transitions", [
            "to": "closed", "resolutionSummary": "已处理", "responsibleParty": "outlet", "rootCause": "mis_sort",
            "rectificationUnit": outlet, "rectificationAction": "分拣口增加复核",
        ])
        let rectifications = try await call(.GET, "/api/v1/rectifications", as: "agent")
        side.rectification = try XCTUnwrap((rectifications.jsonArray ?? []).first {
            $0["complaintNumber"] as? String == closed }?["id"] as? String, rectifications.body)
        return side
    }

    func routedNumber(_ outlet: String, _ phone: String) async throws -> String {
        let number = try await recordedNumber(as: "agent", ["customer": ["name": "矩阵客户", "phone": phone],
                                                            "waybillNumbers": ["YT9990000"]])
        try await expect(.ok, .PATCH, "/complaints/\(number)", ["outlet": outlet], as: "supervisor")
        return number
    }

    func expect(_ status: HTTPStatus, _ method: HTTPMethod, _ path: String, _ json: Any?, as user: String = "agent")
        async throws
    {
        let reply = try await call(method, "/api/v1" + path, as: user, json: json)
        XCTAssertEqual(reply.status, status, "\(method) \(path): \(reply.body)")
    }

    // MARK: The matrix

    func testEveryRouteAnswersEveryCallerAsTheTableSays() async throws {
        let entries = PermissionMatrix.api + PermissionMatrix.pages
        let listed = Set(entries.map { "\($0.method.rawValue) \($0.route)" })
        let registered = app.routes.all.map { route in
            "\(route.method.rawValue) /" + route.path.map { "\($0)" }.joined(separator: "/")
        }
        XCTAssertEqual(Set(registered).subtracting(listed).sorted(), [], "routes with no entry in PermissionMatrix")
        XCTAssertEqual(listed.subtracting(registered).sorted(), [], "entries for routes that do not exist")

        var callers: [Caller] = [.anonymous, .otherCustomer]
        for role in Role.allCases { callers += [.staff(role, own: true), .staff(role, own: false)] }
        var mismatches: [String] = []
        var checked = 0
        for entry in entries {
            for caller in callers {
                let (expected, got, status) = try await run(entry, as: caller)
                checked += 1
                if expected != got {
                    mismatches.append("\(entry.method.rawValue) \(entry.route) as \(caller): expected \(expected), got \(got) (\(status))")
                }
            }
        }
        XCTAssertTrue(mismatches.isEmpty, "\(mismatches.count) of \(checked) cells differ:\n" + mismatches.joined(separator: "\n"))
        XCTAssertGreaterThan(checked, 1_500)
        print("permission matrix: \(entries.count) routes × \(callers.count) callers = \(checked) cells, \(mismatches.count) differ")
    }

    /// What the table expects of this caller, and what the server answered.
    func run(_ entry: PermissionMatrix.Entry, as caller: Caller) async throws -> (Outcome, Outcome, String) {
        var side = own
        if case .staff(_, own: false) = caller { side = foreign }
        var expected: Outcome
        switch (entry.rule, caller) {
        // The API refuses any request that brings a bearer token it does not know, even to the login operation.
        case (.open, .otherCustomer) where entry.route.hasPrefix("/api/v1/"): expected = .login
        case (.open, _): expected = .passed
        case (.customer, .anonymous):
            side.token = String(repeating: "A", count: 43)
            expected = .refused
        case (.customer, .otherCustomer):
            // Another complaint's link, on this complaint's proposal or file.
            side.token = foreign.token
            expected = entry.path.contains("{p}") || entry.path.contains("{file}") ? .refused : .passed
        case (.customer, .staff): expected = .passed
        case (.roles, .anonymous), (.roles, .otherCustomer): expected = .login
        case (.roles(let roles, let scoped), .staff(let role, let isOwn)):
            expected = roles.contains(role) && (isOwn || !scoped) ? .passed : .refused
        case (.signed, _): expected = .refused
        }
        let path = try await fill(entry.path, side)
        var headers: [(String, String)] = []
        let isAPI = entry.route.hasPrefix("/api/v1/")
        var csrf = ""
        switch caller {
        case .anonymous: break
        case .otherCustomer:
            headers.append(isAPI ? ("Authorization", "Bearer \(foreign.token)") : ("Cookie", "kesu_session=\(foreign.token)"))
        case .staff(let role, _):
            if isAPI {
                headers.append(("Authorization", "Bearer \(try await token(for: matrixUser(role)))"))
            } else {
                let session = try await session(for: matrixUser(role))
                headers.append(("Cookie", "kesu_session=\(session.cookie)"))
                csrf = session.csrf
            }
        }
        let reply: Reply
        switch entry.body {
        case .none: reply = try await call(entry.method, path, headers: headers)
        case .json(let json): reply = try await call(entry.method, path, raw: try await fill(json, side), headers: headers)
        case .form(let form):
            let fields = [csrf.isEmpty ? nil : "_csrf=\(csrf)", try await fill(form, side)].compactMap { $0 }
            reply = try await call(entry.method, path, raw: fields.filter { !$0.isEmpty }.joined(separator: "&"),
                                   headers: headers + [("Content-Type", "application/x-www-form-urlencoded")])
        case .file(let fields):
            let cookie = headers.first { $0.0 == "Cookie" }?.1.replacingOccurrences(of: "kesu_session=", with: "")
            var filled: [String: String] = [:]
            for (name, value) in fields { filled[name] = try await fill(value, side) }
            reply = try await upload(path, cookie: cookie, fileName: "photo.png", bytes: Self.png,
                                     fields: filled.merging(csrf.isEmpty ? [:] : ["_csrf": csrf]) { a, _ in a })
        }
        if entry.spendsCredentials, case .staff(let role, _) = caller {
            tokens[matrixUser(role)] = nil
            sessions[matrixUser(role)] = nil
        }
        XCTAssertLessThan(reply.status.code, 500, "\(entry.method) \(path) as \(caller): \(reply.body.prefix(300))")
        return (expected, Self.outcome(of: reply), "\(reply.status.code) \(reply.errorMessage ?? "")")
    }

    static func outcome(of reply: Reply) -> Outcome {
        switch reply.status {
        case .unauthorized: return .login
        case .forbidden, .notFound: return .refused
        case .seeOther, .found:
            // Sent to log in, coming back here afterwards (logging out lands on the bare login page).
            return reply.headers.first(name: .location)?.hasPrefix("/login?next=") == true ? .login : .passed
        default: return .passed
        }
    }

    func fill(_ template: String, _ side: Side) async throws -> String {
        counter += 1
        var text = template
        if text.contains("{typical}") {
            // Unmarking needs a typical case: HQ's quality officer marks the closed complaint first.
            _ = try await call(.PUT, "/api/v1/complaints/\(side.closed)/typical-case", as: "quality", json: ["lesson": "先电联"])
            text = text.replacingOccurrences(of: "{typical}", with: side.closed)
        }
        if text.contains("{dead}") {
            var job = JobRow(id: UUID(), kind: "notify", idempotencyKey: "matrix-\(counter)", payload: "{}", runAt: Date(),
                             createdAt: Date())
            job.state = "dead"
            try await JobStore.enqueue([job], on: app.db)
            text = text.replacingOccurrences(of: "{dead}", with: job.id.uuidString)
        }
        if text.contains("{deadMessage}") {
            var message = OutboundRow(id: UUID(), idempotencyKey: "matrix-\(counter)", complaintID: nil, customerID: nil,
                                      channel: "email", notice: "reply", urgent: false, recipient: "m@example.com", subject: "s",
                                      body: "b", messageID: "matrix-\(counter)@kesu.invalid", inReplyTo: nil, references: [],
                                      runAt: Date(), heldReason: nil, createdAt: Date())
            message.state = "dead"
            try await MessageStore.enqueue([message], on: app.db)
            text = text.replacingOccurrences(of: "{deadMessage}", with: message.id.uuidString)
        }
        if text.contains("{view}") {
            // A saved view of the matrix's admin, which only its owner may remove.
            let found = try await UserModel.query(on: app.db).filter(\.$username == matrixUser(.admin)).first()
            let owner = try XCTUnwrap(found)
            let view = SavedViewRow(id: UUID(), ownerID: try owner.requireID(), name: "矩阵 \(counter)", query: "view=open",
                                    sharedUnitID: nil, createdAt: Date())
            try await SavedViewStore.insert(view, on: app.db)
            text = text.replacingOccurrences(of: "{view}", with: view.id.uuidString)
        }
        if text.contains("{parcel}") {
            // A fresh problem parcel of the side's outlet, registered by HQ's admin.
            let reply = try await call(.POST, "/api/v1/problem-parcels", as: "admin",
                                       json: ["waybill": "PM\(counter)0000", "reasonCode": "refused", "outlet": side.unit])
            let id = try XCTUnwrap(reply.json["id"] as? String, reply.body)
            text = text.replacingOccurrences(of: "{parcel}", with: id)
        }
        for key in ["{fine}", "{appealed}", "{fineFile}"] where text.contains(key) {
            // A fresh fine on the side's outlet, issued by HQ's quality officer with a photo; appealed by the outlet.
            let issued = try await call(.POST, "/api/v1/fines", as: "quality", json: [
                "unit": side.unit, "rule": "lost_parcel", "complaint": side.number, "reason": "矩阵考核",
                "evidence": [["kind": "photo", "fileName": "p.png", "content": Data(Self.png).base64EncodedString()]],
            ])
            let id = try XCTUnwrap(issued.json["id"] as? String, issued.body)
            var value = id
            if key == "{appealed}" {
                let appellant = side.unit == "SH-PD" ? "outlet-pd" : "outlet-th"
                let appealed = try await call(.POST, "/api/v1/fines/\(id)/appeal", as: appellant, json: [
                    "statement": "矩阵申诉", "evidence": [["kind": "photo", "fileName": "p.png",
                                                         "content": Data(Self.png).base64EncodedString()]],
                ])
                XCTAssertEqual(appealed.status, .ok, appealed.body)
            } else if key == "{fineFile}" {
                let file = try XCTUnwrap((issued.json["evidence"] as? [[String: Any]])?.first?["id"] as? String, issued.body)
                value = "\(id)/evidence/\(file)"
            }
            text = text.replacingOccurrences(of: key, with: value)
        }
        if text.contains("{customer}") {
            let row = try await app.db.sql.raw("SELECT customer_id FROM complaints WHERE number = \(bind: side.number)").first()
            let id = try XCTUnwrap(try row?.decode(column: "customer_id", as: UUID.self))
            text = text.replacingOccurrences(of: "{customer}", with: id.uuidString)
        }
        for key in ["{freshCustomer}", "{openReview}", "{listedReview}"] where text.contains(key) {
            // A fresh customer with a complaint at the side's outlet; reviewed by HQ's quality officer, and listed.
            let number = try await routedNumber(side.unit, String(13_900_000_000 + counter))
            let row = try await app.db.sql.raw("SELECT customer_id FROM complaints WHERE number = \(bind: number)").first()
            var value = try XCTUnwrap(try row?.decode(column: "customer_id", as: UUID.self)).uuidString
            if key != "{freshCustomer}" {
                let opened = try await call(.POST, "/api/v1/customers/\(value)/reviews", as: "quality", json: ["reason": "矩阵"])
                value = try XCTUnwrap(opened.json["id"] as? String, opened.body)
            }
            if key == "{listedReview}" {
                let expires = ISO8601DateFormatter().string(from: Date().addingTimeInterval(30 * 86_400))
                let listed = try await call(.POST, "/api/v1/customer-reviews/\(value)/decision", as: "quality", json: [
                    "list": true, "reason": "矩阵列入", "evidence": "矩阵证据", "expiresAt": expires,
                ])
                XCTAssertEqual(listed.status, .ok, listed.body)
            }
            text = text.replacingOccurrences(of: key, with: value)
        }
        if text.contains("{policy}") { text = text.replacingOccurrences(of: "{policy}", with: try await freshPolicy()) }
        let future = Date().addingTimeInterval(3 * 86_400)
        let values: [String: String] = [
            "{n}": side.number, "{p}": side.proposal, "{task}": side.task, "{inq}": side.inquiry,
            "{rect}": side.rectification, "{closed}": side.closed, "{file}": side.file, "{tok}": side.token, "{unit}": side.unit,
            "{victim}": side.victim, "{u}": String(counter), "{pw}": Bootstrap.demoPassword,
            "{future}": ISO8601DateFormatter().string(from: future),
            "{futureLocal}": String(ISO8601DateFormatter().string(from: future).prefix(16)),
        ]
        for (key, value) in values { text = text.replacingOccurrences(of: key, with: value) }
        return text
    }

    /// An SLA policy made by HQ's admin for a request that changes or deletes one.
    func freshPolicy() async throws -> String {
        let channels = ["phone", "web", "email", "wechat", "app", "api", "regulator", "platform"]
        let priorities = ["P1", "P2", "P3", "P4"]
        let reply = try await call(.POST, "/api/v1/sla-policies", as: "admin", json: [
            "category": "other", "channel": channels[counter % channels.count],
            "priority": priorities[(counter / channels.count) % priorities.count],
            "firstReplyMinutes": 60, "resolutionMinutes": 1_440,
        ])
        if let id = reply.json["id"] as? String { return id }
        // Every combination is taken: reuse one.
        let list = try await call(.GET, "/api/v1/sla-policies", as: "admin")
        return try XCTUnwrap(list.jsonArray?.last?["id"] as? String, reply.body)
    }

    func session(for username: String) async throws -> (cookie: String, csrf: String) {
        if let session = sessions[username] { return session }
        let cookie = try await session(username)
        let session = (cookie: cookie, csrf: try await csrf(cookie))
        sessions[username] = session
        return session
    }

    /// The form token from the notifications page, which every member of staff can open.
    func csrf(_ cookie: String) async throws -> String {
        let page = try await call(.GET, "/notifications", headers: [("Cookie", "kesu_session=\(cookie)")])
        return try formToken(in: page.body)
    }
}
