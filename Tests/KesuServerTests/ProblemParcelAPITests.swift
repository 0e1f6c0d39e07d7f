import Foundation
import KesuCore
import KesuServer
import KesuStore
import SQLKit
import XCTest

/// 问题件 end to end on the API and the pages: a courier registers and follows up, the lapse reminds the outlet and
/// alerts customer service once, a complaint about the waybill links to it (and says when it was neglected), and each
/// refusal changes nothing.
final class ProblemParcelAPITests: KesuTestCase, @unchecked Sendable {
    let clock = FixedClock(Date(timeIntervalSince1970: 1_796_000_000))

    override func setUp() async throws {
        fixedClock = clock
        try await super.setUp()
    }

    /// Moves the clock on; tokens issued before have run out by then, so callers log in again.
    func advance(hours: Double) {
        clock.advance(by: hours * 3_600)
        tokens = [:]
    }

    func register(as user: String, _ body: [String: Any]) async throws -> Reply {
        try await call(.POST, "/api/v1/problem-parcels", as: user, json: body)
    }

    func notices(of user: String) async throws -> [String] {
        try await deliverJobs()
        let reply = try await call(.GET, "/api/v1/notifications", as: user)
        return (reply.json["items"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
    }

    func testACourierRegistersAndFollowsUpAndTheLapseAlertsOnce() async throws {
        let made = try await register(as: "courier-pd", ["waybill": "yt5550001", "reasonCode": "no_answer", "note": "三次未接"])
        XCTAssertEqual(made.status, .created, made.body)
        let id = try XCTUnwrap(made.json["id"] as? String)
        XCTAssertEqual(made.json["waybill"] as? String, "YT5550001")
        XCTAssertEqual(made.json["outlet"] as? String, "SH-PD", "a courier's own outlet")
        XCTAssertEqual(made.json["courier"] as? String, "SH-PD-C01")
        XCTAssertEqual(made.json["lapsed"] as? Bool, false)

        // One open parcel a waybill.
        let twice = try await register(as: "outlet-pd", ["waybill": "YT5550001", "reasonCode": "refused"])
        XCTAssertEqual(twice.status, .conflict, twice.body)

        advance(hours: 20)
        let followed = try await call(.POST, "/api/v1/problem-parcels/\(id)/follow-ups", as: "courier-pd",
                                      json: ["method": "phone", "note": "客户说明天在家", "nextAttemptAt": "2026-12-01T10:00:00Z"])
        XCTAssertEqual(followed.status, .created, followed.body)
        XCTAssertEqual(followed.json["followUps"] as? Int, 1)
        XCTAssertEqual((followed.json["timeline"] as? [[String: Any]])?.map { $0["kind"] as? String }, ["registered", "follow_up"])

        // Another outlet sees nothing of it; its staff may not follow it up.
        let foreign = try await call(.POST, "/api/v1/problem-parcels/\(id)/follow-ups", as: "outlet-th",
                                     json: ["method": "phone", "note": "不是我们的"])
        XCTAssertEqual(foreign.status, .forbidden, foreign.body)
        let theirs = try await call(.GET, "/api/v1/problem-parcels", as: "outlet-th")
        XCTAssertEqual(theirs.jsonArray?.count, 0)

        // Two thirds of the way (day 2) the outlet is reminded; at day 3 it lapses: the outlet and customer service hear.
        let scheduler = ClockScheduler(services: app.kesu, db: app.db, logger: app.logger)
        advance(hours: 30)
        _ = try await scheduler.tick()
        let reminded = try await notices(of: "outlet-pd").filter { $0.contains("YT5550001") }.count
        XCTAssertEqual(reminded, 1)
        let alertedEarly = try await notices(of: "agent").filter { $0.contains("YT5550001") }.count
        XCTAssertEqual(alertedEarly, 0, "no alert before the lapse")
        advance(hours: 24)
        _ = try await scheduler.tick()
        _ = try await scheduler.tick()
        let outletNotices = try await notices(of: "outlet-pd").filter { $0.contains("YT5550001") }.count
        XCTAssertEqual(outletNotices, 2)
        let alert = try await notices(of: "agent").filter { $0.contains("YT5550001") }
        XCTAssertEqual(alert.count, 1, "\(alert)")
        XCTAssertTrue(alert.first?.contains("已超期") == true, "\(alert)")
        let otherOutlet = try await notices(of: "outlet-th").count
        XCTAssertEqual(otherOutlet, 0, "another outlet hears nothing")
        let lapsed = try await call(.GET, "/api/v1/problem-parcels?state=lapsed", as: "agent")
        XCTAssertEqual(lapsed.jsonArray?.compactMap { $0["id"] as? String }, [id])
        XCTAssertEqual(lapsed.jsonArray?.first?["lapsed"] as? Bool, true)

        // Customer service sees it on its page, overdue first.
        let cookie = try await session("agent")
        let page = try await call(.GET, "/parcels", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertTrue(page.body.contains("YT5550001") && page.body.contains("已超期"), page.body)
    }

    func testAComplaintAboutTheWaybillLinksItAndSaysWhenItWasNeglected() async throws {
        let made = try await register(as: "outlet-pd", ["waybill": "YT5550002", "reasonCode": "address_unknown",
                                                         "courier": "SH-PD-C02"])
        XCTAssertEqual(made.status, .created, made.body)
        let id = try XCTUnwrap(made.json["id"] as? String)
        advance(hours: 40)
        let number = try await recordedNumber(as: "agent", ["waybillNumbers": ["YT5550002"]])
        let detail = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        let linked = (detail.json["timeline"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "problem_parcel" }
        XCTAssertEqual(linked.count, 1, detail.body)
        let parcel = try await call(.GET, "/api/v1/problem-parcels/\(id)", as: "agent")
        XCTAssertEqual(parcel.json["complaintNumber"] as? String, number)
        XCTAssertEqual(parcel.json["neglected"] as? Bool, true, "no follow-up in the 24 hours before the complaint")
        let cookie = try await session("agent")
        let page = try await call(.GET, "/complaints/\(number)", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertTrue(page.body.contains("（地址不详，") && page.body.contains("投诉前 24 小时内无跟进，记为快递员责任"),
                      "the timeline says so")
        let english = try await call(.GET, "/complaints/\(number)", headers: [("Cookie", "kesu_session=\(cookie); kesu_lang=en")])
        XCTAssertTrue(english.body.contains("(Address unclear, registered") && english.body.contains("counts against the courier"),
                      "and in English, with the reason's English name")

        // Settled as the complaint it became: only a complaint about the same waybill will do.
        let other = try await recordedNumber(as: "agent", ["waybillNumbers": ["YT5550003"]])
        let wrong = try await call(.POST, "/api/v1/problem-parcels/\(id)/settle", as: "outlet-pd",
                                   json: ["outcome": "complaint", "complaint": other])
        XCTAssertEqual(wrong.status, .unprocessableEntity, wrong.body)
        let settled = try await call(.POST, "/api/v1/problem-parcels/\(id)/settle", as: "outlet-pd",
                                     json: ["outcome": "complaint", "complaint": number])
        XCTAssertEqual(settled.status, .ok, settled.body)
        XCTAssertEqual(settled.json["outcome"] as? String, "complaint")
        let again = try await call(.POST, "/api/v1/problem-parcels/\(id)/settle", as: "outlet-pd", json: ["outcome": "delivered"])
        XCTAssertEqual(again.status, .conflict, again.body)
        let late = try await call(.POST, "/api/v1/problem-parcels/\(id)/follow-ups", as: "outlet-pd",
                                  json: ["method": "phone", "note": "再联系"])
        XCTAssertEqual(late.status, .unprocessableEntity, late.body)

        // Settled, its clock stops: nothing lapses later.
        advance(hours: 120)
        _ = try await ClockScheduler(services: app.kesu, db: app.db, logger: app.logger).tick()
        let laterAlerts = try await notices(of: "agent").filter { $0.contains("YT5550002") }.count
        XCTAssertEqual(laterAlerts, 0)
    }

    func testBadRegistrationsAreRefusedInTheUsersLanguageAndChangeNothing() async throws {
        let unknown = try await register(as: "outlet-pd", ["waybill": "YT5550004", "reasonCode": "no_such_reason"])
        XCTAssertEqual(unknown.status, .unprocessableEntity, unknown.body)
        let otherCourier = try await register(as: "outlet-pd", ["waybill": "YT5550004", "reasonCode": "refused",
                                                                "courier": "GZ-TH-C01"])
        XCTAssertEqual(otherCourier.status, .unprocessableEntity, otherCourier.body)
        let otherOutlet = try await register(as: "outlet-pd", ["waybill": "YT5550004", "reasonCode": "refused", "outlet": "GZ-TH"])
        XCTAssertEqual(otherOutlet.status, .forbidden, otherOutlet.body)
        let agent = try await register(as: "agent", ["waybill": "YT5550004", "reasonCode": "refused", "outlet": "SH-PD"])
        XCTAssertEqual(agent.status, .forbidden, "customer service does not register problem parcels")
        let system = try await register(as: "ops-system", ["waybill": "YT5550004", "reasonCode": "refused"])
        XCTAssertEqual(system.status, .unprocessableEntity, "the operations system names the outlet")
        let stored = try await count("problem_parcels")
        XCTAssertEqual(stored, 0)

        // On the page, the error lists the field in Chinese.
        let cookie = try await session("outlet-pd")
        let form = try await call(.GET, "/parcels/new", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertEqual(form.status, .ok)
        let csrf = try formToken(in: form.body)
        let posted = try await call(.POST, "/parcels", raw: "_csrf=\(csrf)&waybill=%E8%BF%90%E5%8D%95&reasonCode=refused",
                                    headers: [("Cookie", "kesu_session=\(cookie)"),
                                              ("Content-Type", "application/x-www-form-urlencoded")])
        XCTAssertEqual(posted.status, .badRequest)
        XCTAssertTrue(posted.body.contains("运单号：请填写正确的运单号"), posted.body)

        let made = try await call(.POST, "/parcels", raw: "_csrf=\(csrf)&waybill=YT5550005&reasonCode=refused&courier=SH-PD-C01&note=",
                                  headers: [("Cookie", "kesu_session=\(cookie)"),
                                            ("Content-Type", "application/x-www-form-urlencoded")])
        XCTAssertEqual(made.status, .seeOther, made.body)
        let location = try XCTUnwrap(made.headers.first(name: .location))
        let shown = try await call(.GET, location, headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertTrue(shown.body.contains("问题件已登记") && shown.body.contains("拒收") && shown.body.contains("快递员 王强"),
                      shown.body)
    }

    func testQualityEditsTheReasonsAndTheLapse() async throws {
        let cookie = try await session("quality")
        let page = try await call(.GET, "/admin/problem-parcels", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertEqual(page.status, .ok, page.body)
        let csrf = try formToken(in: page.body)
        func post(_ path: String, _ form: String) async throws -> Reply {
            try await call(.POST, path, raw: "_csrf=\(csrf)&" + form,
                           headers: [("Cookie", "kesu_session=\(cookie)"), ("Content-Type", "application/x-www-form-urlencoded")])
        }
        let tooLong = try await post("/admin/problem-parcels/lapse", "lapseDays=31").status
        XCTAssertEqual(tooLong, .badRequest)
        let lapseSet = try await post("/admin/problem-parcels/lapse", "lapseDays=2").status
        XCTAssertEqual(lapseSet, .seeOther)
        let added = try await post("/admin/problem-parcels/reasons", "reasonCode=locker&nameZh=%E5%BF%AB%E9%80%92%E6%9F%9C%E6%BB%A1&nameEn=Locker+full&active=1").status
        XCTAssertEqual(added, .seeOther)
        let deactivated = try await post("/admin/problem-parcels/reasons", "reasonCode=refused&nameZh=%E6%8B%92%E6%94%B6&nameEn=Refused").status
        XCTAssertEqual(deactivated, .seeOther)
        let reasons = try await call(.GET, "/api/v1/problem-reasons", as: "outlet-pd")
        let codes = (reasons.jsonArray ?? []).filter { $0["active"] as? Bool == true }.compactMap { $0["code"] as? String }
        XCTAssertTrue(codes.contains("locker") && !codes.contains("refused"), "\(codes)")
        let refused = try await register(as: "outlet-pd", ["waybill": "YT5550006", "reasonCode": "refused"])
        XCTAssertEqual(refused.status, .unprocessableEntity, "an inactive reason is not offered")
        let made = try await register(as: "outlet-pd", ["waybill": "YT5550006", "reasonCode": "locker"])
        XCTAssertEqual(made.status, .created, made.body)
        let lapseAt = try XCTUnwrap(made.json["lapseAt"] as? String)
        let openedAt = try XCTUnwrap(made.json["openedAt"] as? String)
        let parse = { (s: String) in ISO8601DateFormatter().date(from: s.replacingOccurrences(of: ".000", with: "")) }
        XCTAssertEqual(parse(lapseAt).flatMap { a in parse(openedAt).map { a.timeIntervalSince($0) } }, 2 * 86_400)
    }
}
