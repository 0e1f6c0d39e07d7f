import Foundation
import KesuCore
import KesuServer
import Leaf
import LeafKit
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
        let queue = try await page("/complaints?view=open", cookie: session)
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

    func testPagesKeepTheirParsedTemplatesAsServeRunsThem() async throws {
        // `kesu serve` runs in Vapor's development environment, where Leaf alone re-parses every template per page.
        let served = try await Application.make(.development)
        do {
            try await configure(served, config: try Self.config(dataDirectory: dataDirectory), clock: KesuCore.SystemClock())
            let cache = try XCTUnwrap(served.leaf.cache as? DefaultLeafCache)
            let request = Request(application: served, on: served.eventLoopGroup.next())
            let first = try await request.view.render("auth/login", ["t": [String: String]()]).get()
            XCTAssertGreaterThan(first.data.readableBytes, 0)
            XCTAssertTrue(cache.isEnabled)
            XCTAssertGreaterThan(cache.count, 0, "the parsed templates are kept")
        } catch {
            XCTFail("\(error)")
        }
        try await served.asyncShutdown()
    }

    func testEveryWordExistsInBothLanguages() {
        XCTAssertEqual(Set(Language.zh.strings.keys), Set(Language.en.strings.keys))
    }
    /// The clocks on the pages: the complaint's deadlines, a promise, the regulator reply, the admin pages for
    /// policies and calendar, notifications and the SLA report with its CSV.
    func testRootCauseListAndClosingFormOpenARectification() async throws {
        let qualityLogin = try await logIn("quality")
        let quality = try XCTUnwrap(qualityLogin.cookie)
        let list = try await page("/admin/root-causes", cookie: quality)
        XCTAssertEqual(list.status, .ok)
        XCTAssertTrue(list.body.contains("转运中心分拣错误"))
        let token = try XCTUnwrap(csrf(in: list.body))
        let added = try await post("/admin/root-causes", cookie: quality,
                                   form: "_csrf=\(token)&name=%E9%9D%A2%E5%8D%95%E6%A8%A1%E7%B3%8A&systemic=1")
        XCTAssertEqual(added.status, .seeOther, added.body)
        let agentLogin = try await logIn("agent")
        let agent = try XCTUnwrap(agentLogin.cookie)
        let refused = try await page("/admin/root-causes", cookie: agent)
        XCTAssertEqual(refused.status, .forbidden)

        // Closing on the page offers the list; the new systemic cause opens a rectification for the chosen unit.
        let number = try await recordedNumber()
        for status in ["triaged", "executing", "follow_up"] {
            _ = try await call(.POST, "/api/v1/complaints/\(number)/transitions", as: "agent", json: ["to": status])
        }
        let show = try await page("/complaints/\(number)", cookie: agent)
        XCTAssertTrue(show.body.contains("面单模糊（系统性）"), "the closing form lists the causes")
        let causes = try await call(.GET, "/api/v1/root-causes", as: "agent")
        let code = try XCTUnwrap(causes.jsonArray?.first { $0["name"] as? String == "面单模糊" }?["code"] as? String)
        let agentToken = try XCTUnwrap(csrf(in: show.body))
        let dueFormat = DateFormatter()
        dueFormat.dateFormat = "yyyy-MM-dd'T'HH:mm"
        dueFormat.timeZone = TimeZone(identifier: "Asia/Shanghai")
        let due = dueFormat.string(from: Date().addingTimeInterval(40 * 86_400))
        let closed = try await post("/complaints/\(number)/transition", cookie: agent, form: [
            "_csrf=\(agentToken)", "to=closed", "resolutionSummary=%E5%B7%B2%E8%A1%A5%E5%8F%91", "responsibleParty=outlet",
            "rootCause=\(code)", "rectificationAction=", "rectificationUnit=HZ-XH", "rectificationDueAt=\(due)",
        ].joined(separator: "&"))
        XCTAssertEqual(closed.status, .seeOther, closed.body)
        let rect = try await call(.GET, "/api/v1/rectifications", as: "supervisor")
        XCTAssertEqual(rect.jsonArray?.first?["ownerUnit"] as? String, "杭州西湖网点")
        XCTAssertTrue((rect.jsonArray?.first?["action"] as? String ?? "").contains("面单模糊"), "a default action")
        let after = try await page("/complaints/\(number)", cookie: agent)
        XCTAssertTrue(after.body.contains("杭州西湖网点"), "the complaint page shows its rectification")
        XCTAssertFalse(after.body.contains("/inquiries\" class"), "no questions for a closed complaint")
        XCTAssertFalse(after.body.contains("/responsibility\" class"), "its finding is kept until it is reopened")
        XCTAssertTrue(after.body.contains("value=\"reopened\""), "but it can be reopened")
    }

    func testClockPagesPromisesAdminAndReport() async throws {
        let sessionLogin = try await logIn("agent")
        let session = try XCTUnwrap(sessionLogin.cookie)
        let number = try await recordedNumber()
        let detail = try await page("/complaints/\(number)", cookie: session)
        XCTAssertTrue(detail.body.contains("首次响应"), "the first-reply clock is listed")
        XCTAssertTrue(detail.body.contains("法定7日"))
        XCTAssertFalse(detail.body.contains("name=\"regulator\""), "no regulator reply on a phone complaint")
        let token = try XCTUnwrap(csrf(in: detail.body))
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
        let at = formatter.string(from: Date() + 3 * 3_600)
        let promised = try await post("/complaints/\(number)/promise", cookie: session,
                                      form: "_csrf=\(token)&dueAt=\(at)&note=%E5%9B%9E%E7%94%B5")
        XCTAssertEqual(promised.status, .seeOther, promised.body)
        let bad = try await post("/complaints/\(number)/promise", cookie: session, form: "_csrf=\(token)&dueAt=tomorrow")
        XCTAssertEqual(bad.status, .badRequest)
        let after = try await page("/complaints/\(number)", cookie: session)
        XCTAssertTrue(after.body.contains("承诺回复"))
        XCTAssertTrue(after.body.contains("我们承诺在"), "the promise is on the timeline")
        let api = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        let promise = (api.json["clocks"] as? [[String: Any]])?.first { $0["kind"] as? String == "promise" }
        XCTAssertEqual(promise?["note"] as? String, "回电")

        let appeal = try await recordedNumber(["channel": "regulator", "customer": ["name": "赵磊", "phone": "13700002222"]])
        let appealPage = try await page("/complaints/\(appeal)", cookie: session)
        XCTAssertTrue(appealPage.body.contains("name=\"regulator\""))
        XCTAssertTrue(appealPage.body.contains("邮管局转办"))
        let replied = try await post("/complaints/\(appeal)/notes", cookie: session,
                                     form: "_csrf=\(token)&body=%E5%B7%B2%E5%9B%9E%E5%A4%8D&regulator=1")
        XCTAssertEqual(replied.status, .seeOther)
        let appealAPI = try await call(.GET, "/api/v1/complaints/\(appeal)", as: "agent")
        let regulator = (appealAPI.json["clocks"] as? [[String: Any]])?.first { $0["kind"] as? String == "regulator" }
        XCTAssertEqual(regulator?["state"] as? String, "met")

        let inbox = try await page("/notifications", cookie: session)
        XCTAssertEqual(inbox.status, .ok)
        XCTAssertTrue(inbox.body.contains("暂无通知"))
        let agentReport = try await page("/reports/sla", cookie: session)
        XCTAssertEqual(agentReport.status, .forbidden)
        let agentAdmin = try await page("/admin/sla", cookie: session)
        XCTAssertEqual(agentAdmin.status, .forbidden)

        let adminLogin = try await logIn("admin")
        let admin = try XCTUnwrap(adminLogin.cookie)
        let policies = try await page("/admin/sla", cookie: admin)
        XCTAssertEqual(policies.status, .ok)
        let adminToken = try XCTUnwrap(csrf(in: policies.body))
        let added = try await post("/admin/sla", cookie: admin, form: "_csrf=\(adminToken)&id=&category=loss&priority=&channel="
                                   + "&firstReplyHours=2&firstReplyMinutes=0&resolutionHours=24&resolutionMinutes=0&regulatorDays=10&warnPercent=75&businessTime=1"
                                   + "&pause[]=on_hold&warn[]=notify&breach[]=notify&breach[]=escalate")
        XCTAssertEqual(added.status, .seeOther, added.body)
        let list = try await call(.GET, "/api/v1/sla-policies", as: "admin")
        let loss = list.jsonArray?.first { $0["category"] as? String == "loss" }
        XCTAssertEqual(loss?["resolutionMinutes"] as? Int, 1_440)
        XCTAssertEqual(loss?["warnPercent"] as? Int, 75)
        XCTAssertEqual(loss?["businessTime"] as? Bool, true)
        XCTAssertEqual(loss?["breachActions"] as? [String], ["escalate", "notify"])
        let invalid = try await post("/admin/sla", cookie: admin, form: "_csrf=\(adminToken)&firstReplyHours=0&firstReplyMinutes=0&resolutionHours=1&resolutionMinutes=0")
        XCTAssertEqual(invalid.status, .badRequest)
        let unchanged = try await call(.GET, "/api/v1/sla-policies", as: "admin")
        XCTAssertEqual(unchanged.jsonArray?.count, 3)
        let removed = try await post("/admin/sla/\(loss?["id"] as? String ?? "")/delete", cookie: admin, form: "_csrf=\(adminToken)")
        XCTAssertEqual(removed.status, .seeOther)

        let calendar = try await page("/admin/calendar", cookie: admin)
        XCTAssertTrue(calendar.body.contains("国庆节"))
        let day = try await post("/admin/calendar/days", cookie: admin,
                                 form: "_csrf=\(adminToken)&day=2026-12-31&kind=holiday&name=%E5%B9%B4%E4%BC%9A")
        XCTAssertEqual(day.status, .seeOther)
        let hours = try await post("/admin/calendar/hours", cookie: admin,
                                   form: "_csrf=\(adminToken)&h1=09:00-18:00&h2=09:00-18:00&h3=09:00-18:00&h4=09:00-18:00"
                                   + "&h5=09:00-17:00&h6=10:00-15:00&h7=")
        XCTAssertEqual(hours.status, .seeOther)
        let stored = try await call(.GET, "/api/v1/calendar", as: "admin")
        XCTAssertTrue((stored.json["days"] as? [[String: Any]] ?? []).contains { $0["day"] as? String == "2026-12-31" && $0["name"] as? String == "年会" })
        XCTAssertEqual((stored.json["weeklyHours"] as? [[String: Any]])?.count, 6)

        let supervisorLogin = try await logIn("supervisor")
        let supervisor = try XCTUnwrap(supervisorLogin.cookie)
        let report = try await page("/reports/sla", cookie: supervisor)
        XCTAssertEqual(report.status, .ok, report.body)
        XCTAssertTrue(report.body.contains("<svg"))
        XCTAssertTrue(report.body.contains("全部 / All"))
        formatter.dateFormat = "yyyy-MM-dd"
        let period = "from=\(formatter.string(from: Date() - 30 * 86_400))&to=\(formatter.string(from: Date() + 86_400))"
        let tooLong = try await page("/reports/sla.csv?from=2020-01-01&to=2030-01-01", cookie: supervisor)
        XCTAssertEqual(tooLong.status, .unprocessableEntity)
        let csv = try await page("/reports/sla.csv?\(period)&group=outlet", cookie: supervisor)
        XCTAssertEqual(csv.headers.contentType?.subType, "csv")
        let lines = csv.body.split(separator: "\r\n")
        XCTAssertTrue(lines.first?.contains("group,name,complaints") == true)
        XCTAssertTrue(lines.contains { $0.hasPrefix("\"all\",\"全部 / All\",2,") }, csv.body)
        let wrongDate = try await page("/reports/sla?from=someday", cookie: supervisor)
        XCTAssertEqual(wrongDate.status, .badRequest)
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

        for action in ["assign", "priority"] {
            let bulk = try await call(.POST, "/complaints/bulk",
                                      raw: "_csrf=\(csrf)&numbers[]=\(first)&numbers[]=\(second)&assignee=agent&priority=P2"
                                          + "&action=\(action)&back=/complaints", headers: form)
            XCTAssertEqual(bulk.status, .seeOther, bulk.body)
            XCTAssertTrue(bulk.headers.first(name: .location)?.hasPrefix("/complaints?done=bulk_") == true)
        }
        for number in [first, second] {
            let reply = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
            XCTAssertEqual((reply.json["assignee"] as? [String: Any])?["username"] as? String, "agent")
            XCTAssertEqual(reply.json["priority"] as? String, "P2")
        }
        let none = try await call(.POST, "/complaints/bulk", raw: "_csrf=\(csrf)&assignee=agent&action=assign", headers: form)
        XCTAssertEqual(none.status, .badRequest)

        // All or none: with one unknown number among them, neither complaint changes.
        let partly = try await call(.POST, "/complaints/bulk",
                                    raw: "_csrf=\(csrf)&numbers[]=\(first)&numbers[]=KS20991231999999&numbers[]=\(second)&priority=P4&action=priority",
                                    headers: form)
        XCTAssertEqual(partly.status, .notFound, partly.body)
        for number in [first, second] {
            let reply = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
            XCTAssertEqual(reply.json["priority"] as? String, "P2", "unchanged")
        }
    }
}

/// The admin pages: users and roles, units, canned replies — for admins only.
final class AdminPagesTests: KesuTestCase, @unchecked Sendable {
    func testAdminManagesUsersUnitsAndCannedReplies() async throws {
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
        XCTAssertEqual(selfDisable.status, .unprocessableEntity, "a rule refuses it, as in the API")

        let canned = try await call(.POST, "/admin/canned", raw: "_csrf=\(csrf)&title=Delay&body=%7B%E5%AE%A2%E6%88%B7%7D+sorry",
                                    headers: form)
        XCTAssertEqual(canned.status, .seeOther)
        let replies = try await count("canned_replies")
        XCTAssertEqual(replies, 5)
    }
}
