import Foundation
import KesuCore
import KesuServer
import KesuStore
import SQLKit
import XCTest

/// 考核与申诉 end to end on the API and the pages: HQ fines an outlet citing the lapse rule, the outlet appeals with a
/// photo of its call log, a reviewer other than the issuer reduces it, one second review by a third person, the month's
/// statement (JSON and CSV) shows it; the windows fire once; each refusal changes nothing.
final class FineAPITests: KesuTestCase, @unchecked Sendable {
    let clock = FixedClock(Date(timeIntervalSince1970: 1_796_000_000))

    override func setUp() async throws {
        fixedClock = clock
        try await super.setUp()
    }

    func advance(hours: Double) {
        clock.advance(by: hours * 3_600)
        tokens = [:]
    }

    static var photo: [String: Any] { ["kind": "call_record", "fileName": "通话记录.png",
                                       "content": Data(KesuTestCase.png).base64EncodedString()] }

    /// A complaint about a problem parcel the courier let lapse without a follow-up: the parcel is neglected.
    func neglectedComplaint(_ waybill: String) async throws -> String {
        let made = try await call(.POST, "/api/v1/problem-parcels", as: "courier-pd",
                                  json: ["waybill": waybill, "reasonCode": "address_unknown"])
        XCTAssertEqual(made.status, .created, made.body)
        advance(hours: 40)
        return try await recordedNumber(as: "agent", ["waybillNumbers": [waybill]])
    }

    func issue(as user: String = "quality", _ body: [String: Any]) async throws -> Reply {
        try await call(.POST, "/api/v1/fines", as: user, json: body)
    }

    func fines(_ table: String = "fine_entries") async throws -> Int { try await count(table) }

    func testAnAppealIsReviewedByAnotherPersonReducedAndShownOnTheStatement() async throws {
        let number = try await neglectedComplaint("YT7770001")
        let issued = try await issue(["unit": "SH-PD", "rule": "lapsed_then_complained", "complaint": number,
                                      "reason": "问题件超期未跟进，客户投诉", "evidence": [Self.photo]])
        XCTAssertEqual(issued.status, .created, issued.body)
        let id = try XCTUnwrap(issued.json["id"] as? String)
        XCTAssertEqual(issued.json["originalFen"] as? Int, 40_000, "twice the courier's complaint fine")
        XCTAssertEqual(issued.json["status"] as? String, "open")
        XCTAssertEqual(issued.json["window"] as? String, "appeal")
        XCTAssertTrue((issued.json["number"] as? String)?.hasPrefix("KH") == true)
        XCTAssertNotNil(issued.json["parcelWaybill"], "the complaint's neglected parcel comes with it")
        try await deliverJobs()
        let told = try await call(.GET, "/api/v1/notifications", as: "outlet-pd")
        XCTAssertTrue(told.body.contains("被考核 ¥400.00"), told.body)

        // Another outlet may not appeal; an appeal needs evidence.
        let foreign = try await call(.POST, "/api/v1/fines/\(id)/appeal", as: "outlet-th",
                                     json: ["statement": "不是我们的", "evidence": [Self.photo]])
        XCTAssertEqual(foreign.status, .forbidden, foreign.body)
        let bare = try await call(.POST, "/api/v1/fines/\(id)/appeal", as: "outlet-pd", json: ["statement": "已联系", "evidence": []])
        XCTAssertEqual(bare.status, .unprocessableEntity, bare.body)
        advance(hours: 10)
        let appealed = try await call(.POST, "/api/v1/fines/\(id)/appeal", as: "outlet-pd",
                                      json: ["statement": "业务员每天都打了电话，见通话记录", "evidence": [Self.photo]])
        XCTAssertEqual(appealed.status, .ok, appealed.body)
        XCTAssertEqual(appealed.json["status"] as? String, "appealed")
        advance(hours: 5)

        // The issuer never reviews; a region is not HQ; a reduction stays below the original.
        let byIssuer = try await call(.POST, "/api/v1/fines/\(id)/decision", as: "quality",
                                      json: ["decision": "revoke", "reason": "我自己开的"])
        XCTAssertEqual(byIssuer.status, .forbidden, byIssuer.body)
        let byRegion = try await call(.POST, "/api/v1/fines/\(id)/decision", as: "region-east",
                                      json: ["decision": "revoke", "reason": "区域不审"])
        XCTAssertEqual(byRegion.status, .forbidden, byRegion.body)
        let tooMuch = try await call(.POST, "/api/v1/fines/\(id)/decision", as: "quality2",
                                     json: ["decision": "reduce", "amount": 40_000, "reason": "不减"])
        XCTAssertEqual(tooMuch.status, .unprocessableEntity, tooMuch.body)
        let reduced = try await call(.POST, "/api/v1/fines/\(id)/decision", as: "quality2",
                                     json: ["decision": "reduce", "amount": 20_000, "reason": "有通话记录，减半"])
        XCTAssertEqual(reduced.status, .ok, reduced.body)
        XCTAssertEqual(reduced.json["status"] as? String, "decided")
        XCTAssertEqual(reduced.json["dueFen"] as? Int, 20_000)
        advance(hours: 5)

        // One second review, by a third person.
        let second = try await call(.POST, "/api/v1/fines/\(id)/second-review", as: "outlet-pd",
                                    json: ["statement": "请求复核：客户地址确实不详"])
        XCTAssertEqual(second.status, .ok, second.body)
        advance(hours: 5)
        let sameReviewer = try await call(.POST, "/api/v1/fines/\(id)/decision", as: "quality2",
                                          json: ["decision": "revoke", "reason": "再看一次"])
        XCTAssertEqual(sameReviewer.status, .forbidden, sameReviewer.body)
        let final = try await call(.POST, "/api/v1/fines/\(id)/decision", as: "admin",
                                   json: ["decision": "uphold", "reason": "维持减免后的金额"])
        XCTAssertEqual(final.status, .ok, final.body)
        XCTAssertEqual(final.json["status"] as? String, "final")
        let again = try await call(.POST, "/api/v1/fines/\(id)/second-review", as: "outlet-pd", json: ["statement": "再复核"])
        XCTAssertEqual(again.status, .unprocessableEntity, again.body)

        // Both sides see the same timeline and evidence.
        let outletView = try await call(.GET, "/api/v1/fines/\(id)", as: "outlet-pd")
        let issuerView = try await call(.GET, "/api/v1/fines/\(id)", as: "quality")
        XCTAssertEqual(outletView.json["timeline"] as? NSArray, issuerView.json["timeline"] as? NSArray)
        XCTAssertEqual((outletView.json["timeline"] as? [[String: Any]])?.compactMap { $0["kind"] as? String },
                       ["issued", "appealed", "decided", "second_review_asked", "second_decided"])
        let evidence = try XCTUnwrap(outletView.json["evidence"] as? [[String: Any]])
        XCTAssertEqual(evidence.count, 2, "the issuer's and the appellant's")
        XCTAssertEqual(Set(evidence.compactMap { $0["uploadedBy"] as? String }).count, 2)
        let cookie = try await session("quality")
        let fileID = try XCTUnwrap(evidence.last?["id"] as? String)
        let file = try await call(.GET, "/fines/\(id)/evidence/\(fileID)", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertEqual(file.status, .ok)
        XCTAssertEqual(file.headers.contentType?.description, "image/png")
        let elsewhere = try await call(.GET, "/api/v1/fines/\(id)", as: "outlet-th")
        XCTAssertEqual(elsewhere.status, .forbidden)

        // The month's statement.
        let month = FineStatementsMonth.of(clock.now())
        let statement = try await call(.GET, "/api/v1/fine-statements?unit=SH-PD&month=\(month)", as: "outlet-pd")
        XCTAssertEqual(statement.status, .ok, statement.body)
        let total = try XCTUnwrap(statement.json["total"] as? [String: Any])
        XCTAssertEqual(total["issued"] as? Int, 1)
        XCTAssertEqual(total["issuedFen"] as? Int, 40_000)
        XCTAssertEqual(total["appealed"] as? Int, 1, statement.body)
        XCTAssertEqual(total["reduced"] as? Int, 1)
        XCTAssertEqual(total["reducedFen"] as? Int, 20_000)
        XCTAssertEqual(total["collectedFen"] as? Int, 20_000)
        XCTAssertEqual(total["netFen"] as? Int, -20_000)
        let theirs = try await call(.GET, "/api/v1/fine-statements?unit=SH-PD&month=\(month)", as: "outlet-th")
        XCTAssertEqual(theirs.status, .forbidden)
        let outletCookie = try await session("outlet-pd")
        let csv = try await call(.GET, "/fines/statement.csv?unit=SH-PD&month=\(month)",
                                 headers: [("Cookie", "kesu_session=\(outletCookie)")])
        XCTAssertEqual(csv.status, .ok)
        XCTAssertTrue(csv.body.hasPrefix("\u{FEFF}月份,单位编码"), String(csv.body.prefix(80)))
        XCTAssertTrue(csv.body.contains("\r\n") && csv.body.contains(",400.00,1,1,200.00,0,0.00,200.00,"), csv.body)
        let page = try await call(.GET, "/fines/statement?unit=SH-PD&month=\(month)",
                                  headers: [("Cookie", "kesu_session=\(outletCookie)")])
        XCTAssertTrue(page.body.contains("¥200.00") && page.body.contains("月度对账单"), page.body)
    }

    func testALateAppealIsRefusedAndEachWindowClosesOnce() async throws {
        let number = try await recordedNumber(as: "agent")
        let issued = try await issue(["unit": "SH-PD-C01", "rule": "locker_without_consent", "quantity": 3,
                                      "complaint": number, "reason": "未经同意放驿站三件"])
        XCTAssertEqual(issued.status, .created, issued.body)
        XCTAssertEqual(issued.json["originalFen"] as? Int, 3_000)
        let id = try XCTUnwrap(issued.json["id"] as? String)
        advance(hours: 73)
        let before = try await fines()
        let late = try await call(.POST, "/api/v1/fines/\(id)/appeal", as: "courier-pd",
                                  json: ["statement": "晚了也想申诉", "evidence": [Self.photo]])
        XCTAssertEqual(late.status, .unprocessableEntity, late.body)
        let after = try await fines()
        XCTAssertEqual(after, before, "a refusal changes nothing")
        let scheduler = ClockScheduler(services: app.kesu, db: app.db, logger: app.logger)
        _ = try await scheduler.tick()
        _ = try await scheduler.tick()
        try await deliverJobs()
        let closed = try await call(.GET, "/api/v1/fines/\(id)", as: "outlet-pd")
        XCTAssertEqual(closed.json["status"] as? String, "final")
        XCTAssertEqual((closed.json["timeline"] as? [[String: Any]])?.filter { $0["kind"] as? String == "closed" }.count, 1)

        // A review out of time is escalated once and stays suspended until someone decides.
        let other = try await issue(["unit": "SH-PD", "rule": "lost_parcel", "complaint": number, "reason": "快件丢失"])
        let otherID = try XCTUnwrap(other.json["id"] as? String)
        let appealed = try await call(.POST, "/api/v1/fines/\(otherID)/appeal", as: "outlet-pd",
                                      json: ["statement": "快件已找到", "evidence": [Self.photo]])
        XCTAssertEqual(appealed.status, .ok, appealed.body)
        advance(hours: 49)
        _ = try await scheduler.tick()
        _ = try await scheduler.tick()
        try await deliverJobs()
        _ = try await scheduler.tick()
        try await deliverJobs()
        let overdue = try await call(.GET, "/api/v1/fines/\(otherID)", as: "quality")
        XCTAssertEqual(overdue.json["overdue"] as? Bool, true, overdue.body)
        XCTAssertEqual(overdue.json["suspended"] as? Bool, true)
        XCTAssertEqual((overdue.json["timeline"] as? [[String: Any]])?.filter { $0["kind"] as? String == "overdue" }.count, 1)
        let supervisor = try await call(.GET, "/api/v1/notifications", as: "supervisor")
        XCTAssertEqual(supervisor.body.components(separatedBy: "审核超时").count - 1, 1, supervisor.body)
        let waiting = try await call(.GET, "/api/v1/fines?state=review", as: "quality2")
        XCTAssertEqual(waiting.jsonArray?.first?["id"] as? String, otherID, "overdue reviews on top")
        let decided = try await call(.POST, "/api/v1/fines/\(otherID)/decision", as: "quality2",
                                     json: ["decision": "revoke", "reason": "快件已找到，撤销"])
        XCTAssertEqual(decided.status, .ok, decided.body)
        XCTAssertEqual(decided.json["suspended"] as? Bool, false)
        XCTAssertEqual(decided.json["status"] as? String, "final", "a revoked fine has no second review")
        XCTAssertEqual(decided.json["dueFen"] as? Int, 0)
    }

    func testEachRefusalChangesNothing() async throws {
        let number = try await recordedNumber(as: "agent")
        let before = try await fines("fines")
        let byOutlet = try await issue(as: "outlet-pd", ["unit": "SH-PD-C01", "rule": "lost_parcel", "complaint": number,
                                                        "reason": "网点不能开考核"])
        XCTAssertEqual(byOutlet.status, .forbidden, byOutlet.body)
        let outsideRegion = try await issue(as: "region-east", ["unit": "GZ-TH", "rule": "lost_parcel", "complaint": number,
                                                                "reason": "华东不管华南"])
        XCTAssertEqual(outsideRegion.status, .forbidden, outsideRegion.body)
        let unknown = try await issue(["unit": "NOPE", "rule": "nope", "complaint": "KS000", "reason": "无依据"])
        XCTAssertEqual(unknown.status, .unprocessableEntity, unknown.body)
        let fields = try XCTUnwrap((unknown.json["error"] as? [String: Any])?["details"] as? [String: Any])
        XCTAssertEqual(Set(fields.keys), ["unit", "rule", "complaint"])
        let forNothing = try await issue(["unit": "SH-PD", "rule": "lost_parcel", "reason": "没有依据"])
        XCTAssertEqual(forNothing.status, .unprocessableEntity, forNothing.body)
        let notNeglected = try await issue(["unit": "SH-PD", "rule": "lapsed_then_complained", "complaint": number,
                                            "reason": "没有问题件"])
        XCTAssertEqual(notNeglected.status, .unprocessableEntity, notNeglected.body)
        let after = try await fines("fines")
        XCTAssertEqual(after, before)

        // The catalogue: a quality officer edits it; the new amount applies to the next fine only.
        let cookie = try await session("quality")
        let page = try await call(.GET, "/admin/fines", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertEqual(page.status, .ok)
        let csrf = try formToken(in: page.body)
        let bad = try await call(.POST, "/admin/fines/rules",
                                 raw: "_csrf=\(csrf)&ruleCode=lost_parcel&nameZh=丢失&nameEn=Lost&kind=fine&amount=0&active=1",
                                 headers: [("Cookie", "kesu_session=\(cookie)"),
                                           ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "text/html")])
        XCTAssertEqual(bad.status, .badRequest, bad.body)
        let saved = try await call(.POST, "/admin/fines/rules",
                                   raw: "_csrf=\(csrf)&ruleCode=lost_parcel&nameZh=丢失&nameEn=Lost&kind=fine&amount=800&active=1",
                                   headers: [("Cookie", "kesu_session=\(cookie)"),
                                             ("Content-Type", "application/x-www-form-urlencoded")])
        XCTAssertEqual(saved.status, .seeOther, saved.body)
        let rules = try await call(.GET, "/api/v1/fine-rules", as: "outlet-pd")
        XCTAssertEqual(rules.jsonArray?.first { $0["code"] as? String == "lost_parcel" }?["amount"] as? Int, 80_000)
        let windows = try await call(.POST, "/admin/fines/windows",
                                     raw: "_csrf=\(csrf)&appealHours=24&reviewHours=48&secondAskHours=48&overdue=suspend",
                                     headers: [("Cookie", "kesu_session=\(cookie)"),
                                               ("Content-Type", "application/x-www-form-urlencoded")])
        XCTAssertEqual(windows.status, .seeOther, windows.body)
        let next = try await issue(["unit": "SH-PD", "rule": "lost_parcel", "complaint": number, "reason": "快件丢失"])
        XCTAssertEqual(next.json["originalFen"] as? Int, 80_000)
        let deadline = try XCTUnwrap(next.json["deadline"] as? String)
        XCTAssertEqual(deadline.prefix(19), ISO8601DateFormatter().string(from: clock.now().addingTimeInterval(24 * 3_600)).prefix(19))
    }

    func testTheOutletAppealsOnItsPhoneWithAPhotoAndTheReviewerDecidesOnThePage() async throws {
        let number = try await recordedNumber(as: "agent")
        let issued = try await issue(["unit": "SH-PD", "rule": "escalated_complaint", "complaint": number, "reason": "升级投诉"])
        let id = try XCTUnwrap(issued.json["id"] as? String)
        let outlet = try await session("outlet-pd")
        let list = try await call(.GET, "/fines", headers: [("Cookie", "kesu_session=\(outlet)")])
        XCTAssertTrue(list.body.contains(issued.json["number"] as? String ?? "?") && list.body.contains("申诉期剩余"), list.body)
        let show = try await call(.GET, "/fines/\(id)", headers: [("Cookie", "kesu_session=\(outlet)")])
        XCTAssertTrue(show.body.contains("action=\"/fines/\(id)/appeal\""), "the outlet may appeal")
        let csrf = try formToken(in: show.body)
        let sent = try await upload("/fines/\(id)/appeal", cookie: outlet, fileName: "call-log.png", bytes: Self.png,
                                    fields: ["_csrf": csrf, "statement": "客户拒接，见通话记录截图", "kind": "call_record"])
        XCTAssertEqual(sent.status, .seeOther, sent.body)
        let reviewer = try await session("quality2")
        let review = try await call(.GET, "/fines/\(id)", headers: [("Cookie", "kesu_session=\(reviewer)")])
        XCTAssertTrue(review.body.contains("action=\"/fines/\(id)/decision\"") && review.body.contains("call-log.png"), review.body)
        let issuer = try await session("quality")
        let issuerPage = try await call(.GET, "/fines/\(id)", headers: [("Cookie", "kesu_session=\(issuer)")])
        XCTAssertFalse(issuerPage.body.contains("action=\"/fines/\(id)/decision\""), "the issuer gets no decision form")
        let token = try formToken(in: review.body)
        let decided = try await call(.POST, "/fines/\(id)/decision",
                                     raw: "_csrf=\(token)&decision=reduce&amount=300&reason=证据部分成立",
                                     headers: [("Cookie", "kesu_session=\(reviewer)"),
                                               ("Content-Type", "application/x-www-form-urlencoded")])
        XCTAssertEqual(decided.status, .seeOther, decided.body)
        let now = try await call(.GET, "/api/v1/fines/\(id)", as: "outlet-pd")
        XCTAssertEqual(now.json["dueFen"] as? Int, 30_000)
        XCTAssertEqual(now.json["status"] as? String, "decided")
    }
}

/// The month of a date in Shanghai, as the statements name it.
enum FineStatementsMonth {
    static func of(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let c = calendar.dateComponents([.year, .month], from: date)
        return String(format: "%04d-%02d", c.year!, c.month!)
    }
}
