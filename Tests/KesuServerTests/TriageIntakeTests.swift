import Foundation
import SQLKit
import Vapor
import XCTest

/// 智能分诊 end to end: intake without a category takes the classifier's, a text it is unsure of waits in "needs
/// triage", one click on the complaint page confirms, a different choice is kept as a correction, and the words of
/// an urgent complaint raise it with the reason on the timeline.
final class TriageIntakeTests: KesuTestCase, @unchecked Sendable {
    func complaint(_ number: String) async throws -> [String: Any] {
        try await call(.GET, "/api/v1/complaints/\(number)", as: "agent").json
    }

    func sql() throws -> any SQLDatabase { try XCTUnwrap(app.db as? any SQLDatabase) }

    func kinds(_ c: [String: Any]) -> [String] {
        (c["timeline"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
    }

    func post(_ path: String, cookie: String, form: String) async throws -> Reply {
        let csrf = try formToken(in: try await call(.GET, "/complaints", headers: [("Cookie", "kesu_session=\(cookie)")]).body)
        return try await call(.POST, path, raw: "_csrf=\(csrf)&" + form,
                              headers: [("Cookie", "kesu_session=\(cookie)"),
                                        ("Content-Type", "application/x-www-form-urlencoded")])
    }

    func testTheClassifiersAnswerIsRecordedAndConfirmedInOneClick() async throws {
        let number = try await recordedNumber(["description": "物流信息一个星期没更新了，一直卡在转运中心不动",
                                               "waybillNumbers": []])
        let c = try await complaint(number)
        XCTAssertEqual(c["category"] as? String, "delay")
        let sub = c["subcategory"] as? String
        XCTAssertTrue(["stuck_in_transit", "tracking_not_updated"].contains(sub ?? ""), "a delay's sub-category: \(sub ?? "none")")
        XCTAssertTrue((c["flags"] as? [String] ?? []).contains("suggested"), "\(c["flags"] ?? "")")
        XCTAssertTrue(kinds(c).contains("category_suggested"))

        let agent = try await session("agent")
        let page = try await call(.GET, "/complaints/\(number)", headers: [("Cookie", "kesu_session=\(agent)")])
        XCTAssertTrue(page.body.contains("id=\"triage\""), "the suggestion is offered")
        XCTAssertTrue(page.body.contains("确认 快件延误"), "the suggested category to confirm, with its name")
        let done = try await post("/complaints/\(number)/change", cookie: agent, form: "category=delay")
        XCTAssertEqual(done.status, .seeOther, done.body)
        let confirmed = try await complaint(number)
        XCTAssertEqual(confirmed["category"] as? String, "delay")
        XCTAssertEqual(confirmed["subcategory"] as? String, sub, "confirming keeps the sub-category")
        XCTAssertFalse((confirmed["flags"] as? [String] ?? []).contains("suggested"))
        XCTAssertTrue(kinds(confirmed).contains("category_confirmed"))
        let after = try await call(.GET, "/complaints/\(number)", headers: [("Cookie", "kesu_session=\(agent)")])
        XCTAssertFalse(after.body.contains("id=\"triage\""), "nothing left to settle")
        let corrections = try await sql().raw("SELECT COUNT(*) AS n FROM triage_corrections").first()
        XCTAssertEqual(try corrections?.decode(column: "n", as: Int.self), 0, "a confirmation is not a correction")
    }

    func testAnUnsureTextWaitsInNeedsTriageAndTheChoiceIsACorrection() async throws {
        let number = try await recordedNumber(["description": "我要投诉", "waybillNumbers": []])
        let c = try await complaint(number)
        XCTAssertNil(c["category"] as? String, "not guessed")
        XCTAssertTrue((c["flags"] as? [String] ?? []).contains("needs_triage"))
        XCTAssertTrue(kinds(c).contains("triage_needed"))
        let sure = try await recordedNumber(["description": "代收货款一个月了还没打给我", "waybillNumbers": [],
                                             "customer": ["name": "赵敏", "phone": "13900002222"]])

        let agent = try await session("agent")
        let view = try await call(.GET, "/complaints?view=triage", headers: [("Cookie", "kesu_session=\(agent)")])
        XCTAssertTrue(view.body.contains(number), "in the needs-triage view")
        XCTAssertFalse(view.body.contains(sure), "a confident one is not")
        XCTAssertTrue(view.body.contains("待分类"), "the view is named")

        let patched = try await call(.PATCH, "/api/v1/complaints/\(number)", as: "agent", json: ["category": "other"])
        XCTAssertEqual(patched.status, .ok, patched.body)
        XCTAssertFalse((patched.json["flags"] as? [String] ?? []).contains("needs_triage"))
        let row = try await sql().raw("SELECT description, suggested, chosen FROM triage_corrections").first()
        XCTAssertEqual(try row?.decode(column: "chosen", as: String.self), "other")
        XCTAssertEqual(try row?.decode(column: "description", as: String.self), "我要投诉")
        XCTAssertNil(try row?.decode(column: "suggested", as: String?.self), "it had no suggestion")
    }

    func testAChangedSuggestionIsKeptAsACorrection() async throws {
        let number = try await recordedNumber(["description": "快递柜超时收了我三块钱", "waybillNumbers": []])
        let suggested = try await complaint(number)["category"] as? String
        XCTAssertNotNil(suggested)
        let chosen = suggested == "improper_charge" ? "delivery_service" : "improper_charge"
        let patched = try await call(.PATCH, "/api/v1/complaints/\(number)", as: "agent", json: ["category": chosen])
        XCTAssertEqual(patched.status, .ok, patched.body)
        let row = try await sql().raw("SELECT suggested, chosen FROM triage_corrections").first()
        XCTAssertEqual(try row?.decode(column: "suggested", as: String?.self), suggested)
        XCTAssertEqual(try row?.decode(column: "chosen", as: String.self), chosen)
    }

    func testAGivenCategoryIsNotSecondGuessed() async throws {
        let number = try await recordedNumber(["description": "物流一个星期没更新", "category": "loss", "waybillNumbers": []])
        let c = try await complaint(number)
        XCTAssertEqual(c["category"] as? String, "loss")
        XCTAssertEqual(c["flags"] as? [String] ?? [], [])
        XCTAssertFalse(kinds(c).contains("category_suggested"))
    }

    func testUrgentWordsRaiseWithTheirReason() async throws {
        let number = try await recordedNumber(["description": "寄给我妈的胰岛素四天了还没到，再不到我就打12305",
                                               "waybillNumbers": []])
        let c = try await complaint(number)
        XCTAssertEqual(c["priority"] as? String, "P1")
        let flags = Set(c["flags"] as? [String] ?? [])
        XCTAssertTrue(flags.isSuperset(of: ["urgent", "perishable", "regulator_risk"]), "\(flags)")
        let raised = (c["timeline"] as? [[String: Any]] ?? []).first { $0["kind"] as? String == "priority_raised" }
        let note = raised?["note"] as? String ?? ""
        XCTAssertTrue(note.contains("胰岛素") && note.contains("12305"), note)
        let agent = try await session("agent")
        let urgent = try await call(.GET, "/complaints?view=urgent", headers: [("Cookie", "kesu_session=\(agent)")])
        XCTAssertTrue(urgent.body.contains(number), "first in the urgent view")
    }

    func testThePhoneIntakeFormSuggestsAsTheAgentTypes() async throws {
        let agent = try await session("agent")
        let text = "快递柜超时费收了我三块钱".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let reply = try await call(.GET, "/complaints/new/suggest?text=\(text)", headers: [("Cookie", "kesu_session=\(agent)")])
        XCTAssertEqual(reply.status, .ok, reply.body)
        let options = reply.json["options"] as? [[String: Any]] ?? []
        XCTAssertEqual(options.count, 2)
        XCTAssertEqual(options.first?["value"] as? String, "improper_charge")
        XCTAssertEqual(options.first?["label"] as? String, "违规收费")
        let urgentText = "胰岛素丢了".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let urgent = try await call(.GET, "/complaints/new/suggest?text=\(urgentText)", headers: [("Cookie", "kesu_session=\(agent)")])
        XCTAssertTrue((urgent.json["urgent"] as? [String] ?? []).contains { $0.contains("胰岛素") }, urgent.body)
        let page = try await call(.GET, "/complaints/new", headers: [("Cookie", "kesu_session=\(agent)")])
        XCTAssertTrue(page.body.contains("id=\"triage-suggest\"") && page.body.contains("/js/triage.js"))
        let nobody = try await call(.GET, "/complaints/new/suggest?text=\(text)")
        XCTAssertNotEqual(nobody.status, .ok, "only staff")
    }
}
