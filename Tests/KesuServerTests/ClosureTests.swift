import Foundation
import KesuCore
import KesuServer
import SQLKit
import XCTest

/// Closing from the root-cause list, rectifications carried out and verified by someone else, typical cases.
final class ClosureTests: KesuTestCase, @unchecked Sendable {
    func closedNumber(rootCause: String, extra: [String: Any] = [:], description: String? = nil) async throws
        -> (String, Reply)
    {
        let number = try await recordedNumber(as: "agent", description.map { ["description": $0] } ?? [:])
        for status in ["triaged", "executing", "follow_up"] {
            let moved = try await call(.POST, "/api/v1/complaints/\(number)/transitions", as: "agent", json: ["to": status])
            XCTAssertEqual(moved.status, .ok, moved.body)
        }
        var body: [String: Any] = ["to": "closed", "resolutionSummary": "已重新分拣并派送", "responsibleParty": "transfer_centre",
                                   "rootCause": rootCause]
        for (k, v) in extra { body[k] = v }
        return (number, try await call(.POST, "/api/v1/complaints/\(number)/transitions", as: "agent", json: body))
    }

    func testRootCauseComesFromTheListAndASystemicOneOpensARectification() async throws {
        let (number, freeText) = try await closedNumber(rootCause: "随便写的原因")
        XCTAssertEqual(freeText.status, .unprocessableEntity, "not in the list")
        XCTAssertTrue(freeText.body.contains("转运中心分拣错误"), "the error names the choices")
        let still = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        XCTAssertEqual(still.json["status"] as? String, "follow_up", "a refused closing changes nothing")

        let unknownUnit = try await call(.POST, "/api/v1/complaints/\(number)/transitions", as: "agent", json: [
            "to": "closed", "resolutionSummary": "已处理", "responsibleParty": "outlet", "rootCause": "mis_sort",
            "rectificationUnit": "NOPE",
        ])
        XCTAssertEqual(unknownUnit.status, .unprocessableEntity)
        let noneYet = try await count("rectifications")
        XCTAssertEqual(noneYet, 0)

        let closed = try await call(.POST, "/api/v1/complaints/\(number)/transitions", as: "agent", json: [
            "to": "closed", "resolutionSummary": "已处理", "responsibleParty": "outlet", "rootCause": "mis_sort",
            "rectificationUnit": "SH-PD", "rectificationAction": "分拣口增加复核",
        ])
        XCTAssertEqual(closed.status, .ok, closed.body)
        XCTAssertEqual(closed.json["rootCause"] as? String, "转运中心分拣错误", "stored by name")

        // A non-systemic cause opens nothing.
        let (_, plain) = try await closedNumber(rootCause: "派前未电联")
        XCTAssertEqual(plain.status, .ok, plain.body)
        let one = try await count("rectifications")
        XCTAssertEqual(one, 1)

        let open = try await call(.GET, "/api/v1/rectifications", as: "outlet-pd")
        let item = try XCTUnwrap(open.jsonArray?.first)
        XCTAssertEqual(item["action"] as? String, "分拣口增加复核")
        XCTAssertEqual(item["ownerUnit"] as? String, "上海浦东网点")
        XCTAssertEqual(item["state"] as? String, "open")
        let id = try XCTUnwrap(item["id"] as? String)
        let other = try await call(.GET, "/api/v1/rectifications", as: "outlet-th")
        XCTAssertEqual(other.jsonArray?.count, 0, "another outlet does not see it")

        let early = try await call(.POST, "/api/v1/rectifications/\(id)/verify", as: "supervisor", json: ["accepted": true])
        XCTAssertEqual(early.status, .conflict, "nothing to verify before it is done")
        let stranger = try await call(.POST, "/api/v1/rectifications/\(id)/done", as: "outlet-th", json: ["note": "做了"])
        XCTAssertEqual(stranger.status, .forbidden)
        let done = try await call(.POST, "/api/v1/rectifications/\(id)/done", as: "outlet-pd", json: ["note": "已增加复核岗"])
        XCTAssertEqual(done.status, .ok, done.body)
        XCTAssertEqual(done.json["state"] as? String, "done")
        let byOutlet = try await call(.POST, "/api/v1/rectifications/\(id)/verify", as: "outlet-pd", json: ["accepted": true])
        XCTAssertEqual(byOutlet.status, .forbidden, "outlets do not verify")
        let bare = try await call(.POST, "/api/v1/rectifications/\(id)/verify", as: "supervisor", json: ["accepted": false])
        XCTAssertEqual(bare.status, .unprocessableEntity, "sending back needs a reason")
        let back = try await call(.POST, "/api/v1/rectifications/\(id)/verify", as: "supervisor",
                                  json: ["accepted": false, "note": "请附复核记录"])
        XCTAssertEqual(back.json["state"] as? String, "open")
        _ = try await call(.POST, "/api/v1/rectifications/\(id)/done", as: "outlet-pd", json: ["note": "复核记录已上传"])
        let verified = try await call(.POST, "/api/v1/rectifications/\(id)/verify", as: "region-east", json: ["accepted": true])
        XCTAssertEqual(verified.status, .ok, verified.body)
        XCTAssertEqual(verified.json["verifiedBy"] as? String, "华东质控 吴刚")
        let twice = try await call(.POST, "/api/v1/rectifications/\(id)/verify", as: "supervisor", json: ["accepted": true])
        XCTAssertEqual(twice.status, .conflict)
        let openNow = try await call(.GET, "/api/v1/rectifications", as: "supervisor")
        XCTAssertEqual(openNow.jsonArray?.count, 0, "verified ones leave the list")
        let all = try await call(.GET, "/api/v1/rectifications?all=true", as: "supervisor")
        XCTAssertEqual(all.jsonArray?.count, 1)
        let kinds = try await app.db.sql.raw("""
            SELECT kind FROM complaint_events WHERE kind LIKE 'rectification%' ORDER BY at, kind
            """).all().map { try $0.decode(column: "kind", as: String.self) }
        XCTAssertEqual(kinds.filter { $0 == "rectification_opened" }.count, 1)
        XCTAssertEqual(kinds.filter { $0 == "rectification_verified" }.count, 1)
        XCTAssertEqual(kinds.filter { $0 == "rectification_returned" }.count, 1)
    }

    func testTheDoerDoesNotVerifyAndTheListIsEditable() async throws {
        let added = try await call(.POST, "/api/v1/root-causes", as: "quality", json: ["name": "系统地址库错误", "systemic": true])
        XCTAssertEqual(added.status, .ok, added.body)
        let code = try XCTUnwrap(added.json["code"] as? String)
        let byAgent = try await call(.POST, "/api/v1/root-causes", as: "agent", json: ["name": "别的", "systemic": false])
        XCTAssertEqual(byAgent.status, .forbidden)
        let duplicate = try await call(.POST, "/api/v1/root-causes", as: "quality", json: ["name": "系统地址库错误", "systemic": false])
        XCTAssertEqual(duplicate.status, .conflict)

        // Closed with the new systemic cause and no details: the closer's unit (HQ here) rectifies within 30 days.
        let (_, closed) = try await closedNumber(rootCause: "系统地址库错误")
        XCTAssertEqual(closed.status, .ok, closed.body)
        let list = try await call(.GET, "/api/v1/rectifications", as: "supervisor")
        let item = try XCTUnwrap(list.jsonArray?.first)
        XCTAssertEqual(item["ownerUnit"] as? String, "总部")
        let id = try XCTUnwrap(item["id"] as? String)
        _ = try await call(.POST, "/api/v1/rectifications/\(id)/done", as: "supervisor", json: ["note": "地址库已修正"])
        let own = try await call(.POST, "/api/v1/rectifications/\(id)/verify", as: "supervisor", json: ["accepted": true])
        XCTAssertEqual(own.status, .forbidden, "never the one who did it")

        let retired = try await call(.POST, "/api/v1/root-causes", as: "quality",
                                     json: ["code": code, "name": "系统地址库错误", "systemic": true, "active": false])
        XCTAssertEqual(retired.json["active"] as? Bool, false)
        let (_, refused) = try await closedNumber(rootCause: "系统地址库错误")
        XCTAssertEqual(refused.status, .unprocessableEntity, "a retired cause is not offered")
        let active = try await call(.GET, "/api/v1/root-causes", as: "agent")
        XCTAssertFalse(active.body.contains("系统地址库错误"))
        let everything = try await call(.GET, "/api/v1/root-causes?all=true", as: "agent")
        XCTAssertTrue(everything.body.contains("系统地址库错误"))
    }

    func testTypicalCasesByCategory() async throws {
        let open = try await recordedNumber(["category": "delay"])
        let early = try await call(.PUT, "/api/v1/complaints/\(open)/typical-case", as: "supervisor", json: ["lesson": "x"])
        XCTAssertEqual(early.status, .conflict, "only closed complaints")
        let (number, closed) = try await closedNumber(rootCause: "派前未电联",
                                                      description: "我是王芳，电话13812345678，快递员没打电话就放驿站了")
        XCTAssertEqual(closed.status, .ok)
        let byAgent = try await call(.PUT, "/api/v1/complaints/\(number)/typical-case", as: "agent", json: ["lesson": "x"])
        XCTAssertEqual(byAgent.status, .forbidden)
        let empty = try await call(.PUT, "/api/v1/complaints/\(number)/typical-case", as: "supervisor", json: ["lesson": " "])
        XCTAssertEqual(empty.status, .unprocessableEntity)
        let marked = try await call(.PUT, "/api/v1/complaints/\(number)/typical-case", as: "supervisor",
                                    json: ["lesson": "派送前务必电话联系，客户不在时约定时间"])
        XCTAssertEqual(marked.status, .noContent, marked.body)
        let category = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent").json["category"] as? String
        let listed = try await call(.GET, "/api/v1/typical-cases?category=\(category ?? "")", as: "agent")
        XCTAssertEqual(listed.jsonArray?.map { $0["complaintNumber"] as? String ?? "" }, [number])
        XCTAssertEqual(listed.jsonArray?.first?["rootCause"] as? String, "派前未电联")
        XCTAssertFalse(listed.body.contains("王芳"), "other units learn the lesson, not who the customer was")
        XCTAssertFalse(listed.body.contains("13812345678"))
        XCTAssertTrue(listed.body.contains("我是客户，电话138****5678"), listed.body)
        let otherCategory = category == "loss" ? "damage" : "loss"
        let none = try await call(.GET, "/api/v1/typical-cases?category=\(otherCategory)", as: "agent")
        XCTAssertEqual(none.jsonArray?.count, 0)

        let login = try await call(.POST, "/login", raw: "username=agent&password=kesu-demo-2026",
                                   headers: [("Content-Type", "application/x-www-form-urlencoded")])
        let cookie = try XCTUnwrap(login.headers.setCookie?["kesu_session"]?.string)
        let page = try await call(.GET, "/cases", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.contains("派送前务必电话联系"))
        let rect = try await call(.GET, "/rectifications", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertEqual(rect.status, .ok)

        let removed = try await call(.DELETE, "/api/v1/complaints/\(number)/typical-case", as: "supervisor")
        XCTAssertEqual(removed.status, .noContent)
        let gone = try await call(.GET, "/api/v1/typical-cases", as: "agent")
        XCTAssertEqual(gone.jsonArray?.count, 0)
    }
}
