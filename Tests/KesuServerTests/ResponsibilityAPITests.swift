import Foundation
import KesuServer
import XCTest

/// 责任认定 over the API: recorded, changed with the change on the timeline, checked against the organisation,
/// used when closing, frozen once closed.
final class ResponsibilityAPITests: KesuTestCase, @unchecked Sendable {
    func put(_ number: String, _ body: [String: Any], as user: String = "agent") async throws -> Reply {
        try await call(.PUT, "/api/v1/complaints/\(number)/responsibility", as: user, json: body)
    }

    func testFindingIsRecordedChangedAndUsedWhenClosing() async throws {
        let number = try await recordedNumber()
        let set = try await put(number, ["party": "outlet", "unit": "SH-PD", "reason": "网点未按约定送货上门",
                                         "evidence": ["签收底单.jpg", "派送轨迹 11-23 14:02"]])
        XCTAssertEqual(set.status, .ok, set.body)
        let found = set.json["responsibility"] as? [String: Any]
        XCTAssertEqual(found?["party"] as? String, "outlet")
        XCTAssertEqual((found?["unit"] as? [String: Any])?["code"] as? String, "SH-PD")
        XCTAssertEqual(found?["evidence"] as? [String], ["签收底单.jpg", "派送轨迹 11-23 14:02"])

        // Wrong unit for the party, unknown unit, no reason, a unit for force majeure: refused, nothing changes.
        for (body, field) in [
            (["party": "transfer_centre", "unit": "SH-PD", "reason": "分拣错误"], "unit"),
            (["party": "outlet", "unit": "NOPE", "reason": "未送货"], "unit"),
            (["party": "outlet", "unit": "SH-PD", "reason": "  "], "reason"),
            (["party": "force_majeure", "unit": "SH-PD", "reason": "暴雨"], "unit"),
        ] as [([String: Any], String)] {
            let refused = try await put(number, body)
            XCTAssertEqual(refused.status, .unprocessableEntity, "\(body)")
            XCTAssertNotNil((refused.json["error"] as? [String: Any]).flatMap { $0["details"] as? [String: Any] }?[field],
                            refused.body)
        }
        // More references than the schema allows is a bad request, even when they are blank (found by fuzzing).
        let tooMany = try await put(number, ["party": "agent", "reason": "00", "evidence": Array(repeating: "", count: 11)])
        XCTAssertEqual(tooMany.status, .badRequest, tooMany.body)
        let unchanged = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        XCTAssertEqual((unchanged.json["responsibility"] as? [String: Any])?["party"] as? String, "outlet")

        let changed = try await put(number, ["party": "courier", "unit": "SH-PD-C01", "person": "王强",
                                             "reason": "业务员未电话联系客户"])
        XCTAssertEqual(changed.status, .ok, changed.body)
        let detail = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        let timeline = detail.json["timeline"] as? [[String: Any]] ?? []
        let change = timeline.first { $0["kind"] as? String == "responsibility_changed" }
        XCTAssertEqual((change?["before"] as? [String: Any])?["party"] as? String, "outlet")
        XCTAssertEqual((change?["after"] as? [String: Any])?["unit"] as? String, "SH-PD-C01")
        XCTAssertEqual(change?["customerVisible"] as? Bool, false)
        XCTAssertEqual(timeline.filter { $0["kind"] as? String == "responsibility_set" }.count, 1)

        // Closing takes the recorded party; afterwards the finding is frozen.
        for status in ["triaged", "executing", "follow_up"] {
            let moved = try await call(.POST, "/api/v1/complaints/\(number)/transitions", as: "agent", json: ["to": status])
            XCTAssertEqual(moved.status, .ok, moved.body)
        }
        let closed = try await call(.POST, "/api/v1/complaints/\(number)/transitions", as: "agent", json: [
            "to": "closed", "resolutionSummary": "已致歉并补偿优惠券", "rootCause": "派前未电联",
        ])
        XCTAssertEqual(closed.status, .ok, closed.body)
        XCTAssertEqual(closed.json["responsibleParty"] as? String, "courier")
        let frozen = try await put(number, ["party": "outlet", "unit": "SH-PD", "reason": "改判"])
        XCTAssertEqual(frozen.status, .conflict)
        let denied = try await put(number, ["party": "outlet", "unit": "SH-PD", "reason": "改判"], as: "ops-system")
        XCTAssertEqual(denied.status, .forbidden)
    }

    func testTheComplaintPageRecordsAFinding() async throws {
        let number = try await recordedNumber()
        let login = try await call(.POST, "/login", raw: "username=agent&password=kesu-demo-2026&next=/complaints",
                                   headers: [("Content-Type", "application/x-www-form-urlencoded")])
        let session = try XCTUnwrap(login.headers.setCookie?["kesu_session"]?.string)
        let cookie = [("Cookie", "kesu_session=\(session)")]
        let page = try await call(.GET, "/complaints/\(number)", headers: cookie)
        XCTAssertTrue(page.body.contains("尚未认定"))
        let token = try XCTUnwrap(page.body.range(of: #"name="_csrf" value="([0-9a-f]+)""#, options: .regularExpression)
            .map { String(page.body[$0].split(separator: "\"")[3]) })
        let form = "_csrf=\(token)&party=transfer_centre&unit=TC-SH&person=&reason=%E5%88%86%E6%8B%A3%E9%94%99%E8%AF%AF"
            + "&evidence=%E6%89%AB%E6%8F%8F%E8%AE%B0%E5%BD%95%0A%E7%85%A7%E7%89%87"
        let posted = try await call(.POST, "/complaints/\(number)/responsibility", raw: form,
                                    headers: cookie + [("Content-Type", "application/x-www-form-urlencoded")])
        XCTAssertEqual(posted.status, .seeOther, posted.body)
        let after = try await call(.GET, "/complaints/\(number)", headers: cookie)
        XCTAssertTrue(after.body.contains("上海转运中心 (TC-SH)"))
        XCTAssertTrue(after.body.contains("分拣错误"))
        let api = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        XCTAssertEqual((api.json["responsibility"] as? [String: Any])?["evidence"] as? [String], ["扫描记录", "照片"])
    }
}
