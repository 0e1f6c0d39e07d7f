import Foundation
import KesuCore
import KesuServer
import KesuStore
import XCTest

/// 网点首页: the outlet owner logs in and lands on one screen with today's problem parcels, open fines counting down,
/// and the questions and complaints waiting — their own outlet's only.
final class OutletHomeTests: KesuTestCase, @unchecked Sendable {
    func testTheOutletOwnerLandsOnTodaysWork() async throws {
        let parcel = try await call(.POST, "/api/v1/problem-parcels", as: "courier-pd",
                                    json: ["waybill": "YT8880001", "reasonCode": "no_answer"])
        XCTAssertEqual(parcel.status, .created, parcel.body)
        let theirs = try await call(.POST, "/api/v1/problem-parcels", as: "outlet-th",
                                    json: ["waybill": "YT8880002", "reasonCode": "refused"])
        XCTAssertEqual(theirs.status, .created, theirs.body)
        let number = try await recordedNumber(as: "agent", ["waybillNumbers": ["YT8880009"]])
        let routed = try await call(.PATCH, "/api/v1/complaints/\(number)", as: "supervisor", json: ["outlet": "SH-PD"])
        XCTAssertEqual(routed.status, .ok, routed.body)
        let asked = try await call(.POST, "/api/v1/complaints/\(number)/inquiries", as: "agent",
                                   json: ["unit": "SH-PD", "question": "请核实签收人"])
        XCTAssertEqual(asked.status, .created, asked.body)
        let fine = try await call(.POST, "/api/v1/fines", as: "quality",
                                  json: ["unit": "SH-PD", "rule": "escalated_complaint", "complaint": number, "reason": "升级投诉"])
        XCTAssertEqual(fine.status, .created, fine.body)

        let login = try await call(.POST, "/login", raw: "username=outlet-pd&password=\(Bootstrap.demoPassword)&next=/complaints",
                                   headers: [("Content-Type", "application/x-www-form-urlencoded")])
        XCTAssertEqual(login.headers.first(name: .location), "/outlet", "outlet staff land on their home page")
        let cookie = try XCTUnwrap(login.headers.setCookie?["kesu_session"]?.string)
        let home = try await call(.GET, "/outlet", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertEqual(home.status, .ok)
        XCTAssertTrue(home.body.contains("YT8880001"), "today's problem parcel")
        XCTAssertFalse(home.body.contains("YT8880002"), "not another outlet's")
        XCTAssertTrue(home.body.contains(fine.json["number"] as? String ?? "?") && home.body.contains("申诉期剩余"),
                      "the open fine counting down")
        XCTAssertTrue(home.body.contains("请核实签收人") && home.body.contains(number), "the question waiting")

        let agent = try await call(.POST, "/login", raw: "username=agent&password=\(Bootstrap.demoPassword)&next=/complaints",
                                   headers: [("Content-Type", "application/x-www-form-urlencoded")])
        XCTAssertEqual(agent.headers.first(name: .location), "/complaints", "others land where they were going")
    }
}
