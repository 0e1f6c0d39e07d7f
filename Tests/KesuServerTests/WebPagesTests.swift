import Foundation
import KesuServer
import Vapor
import XCTest

/// The staff pages: session login, the queue, the complaint page and its forms.
final class WebPagesTests: KesuTestCase, @unchecked Sendable {
    /// Logs in through the form and returns the session cookie.
    func logIn(_ username: String, password: String = "kesu-demo-2026") async throws -> (status: HTTPStatus, cookie: String?) {
        let reply = try await call(.POST, "/login", raw: "username=\(username)&password=\(password)&next=/complaints",
                                   headers: [("Content-Type", "application/x-www-form-urlencoded")])
        let cookie = reply.headers.setCookie?["kesu_session"]?.string
        return (reply.status, cookie)
    }

    func page(_ path: String, cookie: String?) async throws -> Reply {
        try await call(.GET, path, headers: cookie.map { [("Cookie", "kesu_session=\($0)")] } ?? [])
    }

    func post(_ path: String, cookie: String, form: String) async throws -> Reply {
        try await call(.POST, path, raw: form, headers: [("Cookie", "kesu_session=\(cookie)"),
                                                        ("Content-Type", "application/x-www-form-urlencoded")])
    }

    func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="_csrf" value="([0-9a-f]+)""#, options: .regularExpression) else { return nil }
        return html[range].split(separator: "\"").dropFirst(3).first.map(String.init)
    }

    func testLoginQueueAndComplaintPage() async throws {
        let anonymous = try await page("/complaints", cookie: nil)
        XCTAssertEqual(anonymous.status, .seeOther)
        XCTAssertEqual(anonymous.headers.first(name: .location), "/login?next=/complaints")

        let wrong = try await logIn("agent", password: "nope-nope")
        XCTAssertEqual(wrong.status, .unauthorized)
        XCTAssertNil(wrong.cookie)
        let (status, cookie) = try await logIn("agent")
        XCTAssertEqual(status, .seeOther)
        let session = try XCTUnwrap(cookie)

        let number = try await recordedNumber(as: "agent", ["description": "<img src=x onerror=alert(1)> 快递没送上门"])
        let queue = try await page("/complaints", cookie: session)
        XCTAssertEqual(queue.status, .ok)
        XCTAssertTrue(queue.body.contains(number))
        XCTAssertTrue(queue.body.contains("138****5678"), "the queue masks phones")
        XCTAssertTrue(queue.headers.first(name: "Content-Security-Policy")?.contains("script-src 'self'") == true)

        let byWaybill = try await page("/complaints?q=yt1234567890", cookie: session)
        XCTAssertTrue(byWaybill.body.contains(number))
        let nothing = try await page("/complaints?q=YT0000000001", cookie: session)
        XCTAssertFalse(nothing.body.contains(number))
        let words = try await page("/complaints?q=%E6%B2%A1%E9%80%81%E4%B8%8A%E9%97%A8", cookie: session)
        XCTAssertTrue(words.body.contains(number), "found by words of the description (没送上门)")
        let otherWords = try await page("/complaints?q=%E7%A0%B4%E6%8D%9F", cookie: session)
        XCTAssertFalse(otherWords.body.contains(number))
        let jump = try await page("/complaints?q=\(number.lowercased())", cookie: session)
        XCTAssertEqual(jump.headers.first(name: .location), "/complaints/\(number)")

        let detail = try await page("/complaints/\(number)", cookie: session)
        XCTAssertEqual(detail.status, .ok)
        XCTAssertFalse(detail.body.contains("<img src=x"), "user text is escaped")
        XCTAssertTrue(detail.body.contains("&lt;img src=x onerror=alert(1)&gt;"))
        XCTAssertTrue(detail.body.contains(#"name="to" value="triaged""#))
        XCTAssertFalse(detail.body.contains(#"name="to" value="closed""#), "only legal moves are offered")

        // A form without the CSRF token changes nothing; with it, the move happens.
        let forged = try await post("/complaints/\(number)/transition", cookie: session, form: "to=triaged")
        XCTAssertEqual(forged.status, .forbidden)
        let token = try XCTUnwrap(csrf(in: detail.body))
        let moved = try await post("/complaints/\(number)/transition", cookie: session, form: "to=triaged&_csrf=\(token)")
        XCTAssertEqual(moved.status, .seeOther, moved.body)
        let reply = try await post("/complaints/\(number)/notes", cookie: session,
                                   form: "body=%E6%82%A8%E5%A5%BD&visible=1&_csrf=\(token)")
        XCTAssertEqual(reply.status, .seeOther)
        let after = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        XCTAssertEqual(after.json["status"] as? String, "triaged")
        XCTAssertNotNil(after.json["firstReplyAt"])
    }

    func testOutletUserCannotOpenAnotherOutletsComplaint() async throws {
        let number = try await recordedNumber()
        _ = try await call(.PATCH, "/api/v1/complaints/\(number)", as: "supervisor", json: ["outlet": "GZ-TH"])
        let (_, cookie) = try await logIn("outlet-pd")
        let reply = try await page("/complaints/\(number)", cookie: try XCTUnwrap(cookie))
        XCTAssertEqual(reply.status, .forbidden)
        XCTAssertTrue(reply.body.contains("无权查看"))
        XCTAssertFalse(reply.body.contains("快递员没有送货上门"))
    }

    func testLoginIsRateLimitedAndLanguageSwitches() async throws {
        for _ in 0..<5 { _ = try await logIn("agent", password: "wrong-password") }
        let locked = try await logIn("agent")
        XCTAssertEqual(locked.status, .tooManyRequests, "even the right password waits after five failures")
        XCTAssertNil(locked.cookie)

        let switched = try await call(.GET, "/lang/en?next=/login")
        XCTAssertEqual(switched.headers.setCookie?["kesu_lang"]?.string, "en")
        let english = try await call(.GET, "/login", headers: [("Cookie", "kesu_lang=en")])
        XCTAssertTrue(english.body.contains("Log in"))
        let offsite = try await call(.GET, "/lang/en?next=//evil.example")
        XCTAssertEqual(offsite.headers.first(name: .location), "/complaints")
    }

    func testUnknownPagesAnswerBrowsersWithAPageAndProgramsWithJSON() async throws {
        let browser = try await call(.GET, "/no-such-page", headers: [("Accept", "text/html,application/xhtml+xml")])
        XCTAssertEqual(browser.status, .notFound)
        XCTAssertTrue(browser.body.contains("<title>"), browser.body)
        XCTAssertNotNil(browser.headers.first(name: "Content-Security-Policy"))
        let program = try await call(.GET, "/api/v1/no-such-thing", headers: [("Accept", "text/html")])
        XCTAssertEqual(program.status, .notFound)
        XCTAssertEqual(program.errorCode, "not_found")
        let track = try await call(.GET, "/portal/track")
        XCTAssertEqual(track.status, .seeOther)
        XCTAssertEqual(track.headers.first(name: .location), "/portal#track")
    }

    func testEveryWordExistsInBothLanguages() {
        XCTAssertEqual(Set(Language.zh.strings.keys), Set(Language.en.strings.keys))
    }
}

/// Canned replies, the change form and bulk actions.
final class WorkbenchActionTests: KesuTestCase, @unchecked Sendable {
    func testCannedRepliesChangeFormAndBulkAssign() async throws {
        let first = try await recordedNumber()
        let second = try await recordedNumber(as: "agent", ["customer": ["name": "李雷", "phone": "13987654321"]])
        let login = try await call(.POST, "/login", raw: "username=supervisor&password=kesu-demo-2026",
                                   headers: [("Content-Type", "application/x-www-form-urlencoded")])
        let cookie = try XCTUnwrap(login.headers.setCookie?["kesu_session"]?.string)
        let headers = [("Cookie", "kesu_session=\(cookie)")]
        let page = try await call(.GET, "/complaints/\(first)", headers: headers)
        XCTAssertTrue(page.body.contains("王芳您好，您的投诉（工单号 \(first)）已受理，我是处理人主管 张伟"), "filled in")
        let range = try XCTUnwrap(page.body.range(of: #"name="_csrf" value="([0-9a-f]+)""#, options: .regularExpression))
        let csrf = try XCTUnwrap(page.body[range].split(separator: "\"").dropFirst(3).first.map(String.init))
        let form = headers + [("Content-Type", "application/x-www-form-urlencoded")]

        let changed = try await call(.POST, "/complaints/\(first)/change",
                                     raw: "_csrf=\(csrf)&assignee=agent2&category=delay&priority=P1", headers: form)
        XCTAssertEqual(changed.status, .seeOther, changed.body)
        let after = try await call(.GET, "/api/v1/complaints/\(first)", as: "agent")
        XCTAssertEqual((after.json["assignee"] as? [String: Any])?["username"] as? String, "agent2")
        XCTAssertEqual(after.json["priority"] as? String, "P1")
        XCTAssertEqual(after.json["category"] as? String, "delay")

        let bulk = try await call(.POST, "/complaints/bulk",
                                  raw: "_csrf=\(csrf)&numbers[]=\(first)&numbers[]=\(second)&assignee=agent&priority=P2&back=/complaints",
                                  headers: form)
        XCTAssertEqual(bulk.status, .seeOther, bulk.body)
        for number in [first, second] {
            let reply = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
            XCTAssertEqual((reply.json["assignee"] as? [String: Any])?["username"] as? String, "agent")
            XCTAssertEqual(reply.json["priority"] as? String, "P2")
        }
        let none = try await call(.POST, "/complaints/bulk", raw: "_csrf=\(csrf)&assignee=agent", headers: form)
        XCTAssertEqual(none.status, .badRequest)
    }
}

/// The admin pages: users and roles, units, canned replies — for admins only.
final class AdminPagesTests: KesuTestCase, @unchecked Sendable {
    func testAdminManagesUsersUnitsAndCannedReplies() async throws {
        func session(_ user: String) async throws -> String {
            let r = try await call(.POST, "/login", raw: "username=\(user)&password=kesu-demo-2026",
                                   headers: [("Content-Type", "application/x-www-form-urlencoded")])
            return try XCTUnwrap(r.headers.setCookie?["kesu_session"]?.string)
        }
        let agent = try await session("agent")
        let refused = try await call(.GET, "/admin", headers: [("Cookie", "kesu_session=\(agent)")])
        XCTAssertEqual(refused.status, .forbidden)

        let admin = try await session("admin")
        let page = try await call(.GET, "/admin", headers: [("Cookie", "kesu_session=\(admin)")])
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.contains("outlet-pd"))
        let range = try XCTUnwrap(page.body.range(of: #"name="_csrf" value="([0-9a-f]+)""#, options: .regularExpression))
        let csrf = try XCTUnwrap(page.body[range].split(separator: "\"").dropFirst(3).first.map(String.init))
        let form = [("Cookie", "kesu_session=\(admin)"), ("Content-Type", "application/x-www-form-urlencoded")]

        let unit = try await call(.POST, "/admin/units", raw: "_csrf=\(csrf)&code=SZ-NS&name=NanShan&kind=outlet&parent=R-SOUTH",
                                  headers: form)
        XCTAssertEqual(unit.status, .seeOther, unit.body)
        let user = try await call(.POST, "/admin/users",
                                  raw: "_csrf=\(csrf)&username=outlet-ns&name=Lin&password=nanshan-2026&role=outlet&unit=SZ-NS",
                                  headers: form)
        XCTAssertEqual(user.status, .seeOther, user.body)
        let login = try await call(.POST, "/api/v1/auth/token", json: ["username": "outlet-ns", "password": "nanshan-2026"])
        XCTAssertEqual(login.status, .ok)
        let disable = try await call(.POST, "/admin/users/outlet-ns", raw: "_csrf=\(csrf)&role=outlet&unit=SZ-NS", headers: form)
        XCTAssertEqual(disable.status, .seeOther)
        let after = try await call(.POST, "/api/v1/auth/token", json: ["username": "outlet-ns", "password": "nanshan-2026"])
        XCTAssertEqual(after.status, .unauthorized, "an unticked active box disables the user")
        let selfDisable = try await call(.POST, "/admin/users/admin", raw: "_csrf=\(csrf)&role=admin&unit=HQ", headers: form)
        XCTAssertEqual(selfDisable.status, .badRequest)

        let canned = try await call(.POST, "/admin/canned", raw: "_csrf=\(csrf)&title=Delay&body=%7B%E5%AE%A2%E6%88%B7%7D+sorry",
                                    headers: form)
        XCTAssertEqual(canned.status, .seeOther)
        let replies = try await count("canned_replies")
        XCTAssertEqual(replies, 5)
    }
}
