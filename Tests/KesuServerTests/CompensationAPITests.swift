import Foundation
import KesuCore
import KesuServer
import XCTest

/// What the compensation rules allow for a complaint, by the version in force when it was received.
final class CompensationAPITests: KesuTestCase, @unchecked Sendable {
    let start = Date(timeIntervalSince1970: 1_795_485_600)

    override func setUp() async throws {
        fixedClock = FixedClock(start)
        try await super.setUp()
    }

    func ship(_ waybill: String, insured: Int?) async throws {
        var body: [String: Any] = ["serviceFeeFen": 1_200, "itemKind": "electronics", "trackingEvents": [[String: Any]]()]
        if let insured { body["insuredValueFen"] = insured }
        let put = try await call(.PUT, "/api/v1/shipments/\(waybill)", as: "ops-system", json: body)
        XCTAssertEqual(put.status, .ok, put.body)
    }

    func suggestion(_ number: String, _ query: String) async throws -> Reply {
        try await call(.GET, "/api/v1/complaints/\(number)/compensation-suggestion?\(query)", as: "agent")
    }

    func testSuggestionsFollowTheRulesAndTheirVersions() async throws {
        try await ship("YT2000000001", insured: 50_000)
        try await ship("YT2000000002", insured: nil)
        let insured = try await recordedNumber(["waybillNumbers": ["YT2000000001"]])
        let plain = try await recordedNumber(["waybillNumbers": ["YT2000000002"], "customer": ["name": "李雷", "phone": "13911112222"]])

        let lost = try await suggestion(insured, "incident=loss")
        XCTAssertEqual(lost.status, .ok, lost.body)
        XCTAssertEqual(lost.json["amountFen"] as? Int, 50_000)
        XCTAssertEqual(lost.json["rule"] as? String, "insured_loss")
        XCTAssertEqual(lost.json["version"] as? Int, 1)
        XCTAssertTrue((lost.json["explanation"] as? String ?? "").contains("¥500.00"))
        let inputs = lost.json["inputs"] as? [String: Any]
        XCTAssertEqual(inputs?["serviceFeeFen"] as? Int, 1_200)
        XCTAssertEqual(inputs?["insuredValueFen"] as? Int, 50_000)
        XCTAssertEqual(inputs?["waybill"] as? String, "YT2000000001")

        let damaged = try await suggestion(insured, "incident=damage&damagePercent=30")
        XCTAssertEqual(damaged.json["amountFen"] as? Int, 15_000)
        let capped = try await suggestion(plain, "incident=loss&claimedLossFen=10000")
        XCTAssertEqual(capped.json["amountFen"] as? Int, 3_600, "3 × the ¥12 fee")
        XCTAssertEqual(capped.json["rule"] as? String, "uninsured_capped")
        let late = try await suggestion(plain, "incident=delay")
        XCTAssertEqual(late.json["amountFen"] as? Int, 1_200)

        // Bad input changes nothing and names the field.
        let wrongField = try await suggestion(plain, "incident=loss&damagePercent=50")
        XCTAssertEqual(wrongField.status, .unprocessableEntity)
        let otherWaybill = try await suggestion(plain, "incident=loss&waybill=YT2000000001")
        XCTAssertEqual(otherWaybill.status, .unprocessableEntity)
        let unknown = try await recordedNumber(["waybillNumbers": ["YT2999999999"], "customer": ["name": "韩梅", "phone": "13922223333"]])
        let noData = try await suggestion(unknown, "incident=loss")
        XCTAssertEqual(noData.status, .unprocessableEntity)
        let theft = try await suggestion(plain, "incident=theft")
        XCTAssertEqual(theft.status, .badRequest)

        // A new version from tomorrow: 5× the fee. Complaints received before keep version 1.
        let tomorrow = ISO8601DateFormatter().string(from: start + 86_400)
        let denied = try await call(.POST, "/api/v1/compensation-rules", as: "supervisor",
                                    json: ["effectiveFrom": tomorrow, "uninsuredFeeMultiple": 5, "couponCapFen": 3_000])
        XCTAssertEqual(denied.status, .forbidden)
        let past = try await call(.POST, "/api/v1/compensation-rules", as: "admin", json: [
            "effectiveFrom": ISO8601DateFormatter().string(from: start - 86_400), "uninsuredFeeMultiple": 5,
            "couponCapFen": 3_000,
        ])
        XCTAssertEqual(past.status, .unprocessableEntity)
        let zero = try await call(.POST, "/api/v1/compensation-rules", as: "admin",
                                  json: ["effectiveFrom": tomorrow, "uninsuredFeeMultiple": 0, "couponCapFen": 3_000])
        XCTAssertEqual(zero.status, .badRequest)
        let added = try await call(.POST, "/api/v1/compensation-rules", as: "admin",
                                   json: ["effectiveFrom": tomorrow, "uninsuredFeeMultiple": 5, "couponCapFen": 3_000])
        XCTAssertEqual(added.status, .created, added.body)
        XCTAssertEqual(added.json["version"] as? Int, 2)
        XCTAssertEqual(added.json["createdBy"] as? String, "admin")
        let listed = try await call(.GET, "/api/v1/compensation-rules", as: "agent")
        XCTAssertEqual(listed.jsonArray?.count, 2)

        clock.advance(by: 2 * 86_400)
        tokens = [:]
        let older = try await suggestion(plain, "incident=loss&claimedLossFen=10000")
        XCTAssertEqual(older.json["amountFen"] as? Int, 3_600, "received under version 1")
        XCTAssertEqual(older.json["version"] as? Int, 1)
        let newer = try await recordedNumber(["waybillNumbers": ["YT2000000002"], "customer": ["name": "林涛", "phone": "13933334444"]])
        let now = try await suggestion(newer, "incident=loss&claimedLossFen=10000")
        XCTAssertEqual(now.json["amountFen"] as? Int, 6_000, "5 × the fee under version 2")
        XCTAssertEqual(now.json["version"] as? Int, 2)
        XCTAssertEqual(now.json["couponCapFen"] as? Int, 3_000)
    }

    var clock: FixedClock { fixedClock! }

    func testTheComplaintPageAndTheAdminPageShowTheRules() async throws {
        try await ship("YT2000000003", insured: nil)
        let number = try await recordedNumber(["waybillNumbers": ["YT2000000003"]])
        let login = try await call(.POST, "/login", raw: "username=agent&password=kesu-demo-2026&next=/complaints",
                                   headers: [("Content-Type", "application/x-www-form-urlencoded")])
        let session = try XCTUnwrap(login.headers.setCookie?["kesu_session"]?.string)
        func page(_ path: String, _ cookie: String) async throws -> Reply {
            try await call(.GET, path, headers: [("Cookie", "kesu_session=\(cookie)")])
        }
        let plain = try await page("/complaints/\(number)", session)
        XCTAssertTrue(plain.body.contains("赔偿建议"))
        let computed = try await page("/complaints/\(number)?incident=loss&claimed=100", session)
        XCTAssertTrue(computed.body.contains("¥36.00"), "capped at 3 × the ¥12 fee")
        XCTAssertTrue(computed.body.contains("v1"))
        let bad = try await page("/complaints/\(number)?incident=loss&claimed=lots", session)
        XCTAssertEqual(bad.status, .ok)
        XCTAssertTrue(bad.body.contains("role=\"alert\""))
        let agentAdmin = try await page("/admin/compensation", session)
        XCTAssertEqual(agentAdmin.status, .forbidden)

        let adminLogin = try await call(.POST, "/login", raw: "username=admin&password=kesu-demo-2026&next=/complaints",
                                        headers: [("Content-Type", "application/x-www-form-urlencoded")])
        let admin = try XCTUnwrap(adminLogin.headers.setCookie?["kesu_session"]?.string)
        let rules = try await page("/admin/compensation", admin)
        XCTAssertEqual(rules.status, .ok)
        XCTAssertTrue(rules.body.contains("3×"))
        let token = try XCTUnwrap(rules.body.range(of: #"name="_csrf" value="([0-9a-f]+)""#, options: .regularExpression)
            .map { String(rules.body[$0].split(separator: "\"")[3]) })
        let added = try await call(.POST, "/admin/compensation",
                                   raw: "_csrf=\(token)&effectiveFrom=2026-12-01T00:00&multiple=7&cap=50",
                                   headers: [("Cookie", "kesu_session=\(admin)"),
                                             ("Content-Type", "application/x-www-form-urlencoded")])
        XCTAssertEqual(added.status, .seeOther, added.body)
        let versions = try await call(.GET, "/api/v1/compensation-rules", as: "admin")
        let v2 = versions.jsonArray?.last
        XCTAssertEqual(v2?["uninsuredFeeMultiple"] as? Int, 7)
        XCTAssertEqual(v2?["couponCapFen"] as? Int, 5_000)
        XCTAssertEqual(v2?["effectiveFrom"] as? String, "2026-11-30T16:00:00.000Z", "midnight in Shanghai")
    }
}
