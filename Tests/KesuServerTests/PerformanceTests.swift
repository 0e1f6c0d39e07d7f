import Foundation
import KesuCore
import KesuServer
import KesuStore
import XCTest

/// 考核看板: the figures per courier, outlet, region and agent come from the database, sort worst first, and stay
/// within the viewer's unit — an outlet sees its couriers, a region its outlets.
final class PerformanceTests: KesuTestCase, @unchecked Sendable {
    func page(_ user: String, _ query: String) async throws -> Reply {
        let cookie = try await session(user)
        return try await call(.GET, "/performance?" + query, headers: [("Cookie", "kesu_session=\(cookie)")])
    }

    func testTheBoardCountsSortsWorstFirstAndStaysWithinTheUnit() async throws {
        for (i, courier) in ["SH-PD-C01", "SH-PD-C02", "SH-PD-C02"].enumerated() {
            let made = try await call(.POST, "/api/v1/problem-parcels", as: "outlet-pd",
                                      json: ["waybill": "YT55500\(i)1", "reasonCode": "no_answer", "courier": courier])
            XCTAssertEqual(made.status, .created, made.body)
        }
        let number = try await recordedNumber(as: "agent")
        let fine = try await call(.POST, "/api/v1/fines", as: "quality", json: [
            "unit": "SH-PD-C02", "rule": "locker_without_consent", "quantity": 2, "complaint": number, "reason": "放驿站"])
        XCTAssertEqual(fine.status, .created, fine.body)
        let theirs = try await call(.POST, "/api/v1/problem-parcels", as: "outlet-th",
                                    json: ["waybill": "YT5559991", "reasonCode": "refused"])
        XCTAssertEqual(theirs.status, .created, theirs.body)

        // The outlet owner sees its couriers, most problem parcels first.
        let couriers = try await page("outlet-pd", "level=courier&sort=fines")
        XCTAssertEqual(couriers.status, .ok, couriers.body)
        let body = couriers.body
        let c01 = try XCTUnwrap(body.range(of: "SH-PD-C01")), c02 = try XCTUnwrap(body.range(of: "SH-PD-C02"))
        XCTAssertLessThan(c02.lowerBound, c01.lowerBound, "the courier fined ¥20 first")
        XCTAssertTrue(body.contains("¥20.00") && body.contains("<svg"), "the amount and the chart")
        XCTAssertFalse(body.contains("GZ-TH"), "not another outlet's couriers")

        // HQ per outlet: Pudong's three parcels, Tianhe's one; a region sees only its outlets.
        let outlets = try await call(.GET, "/performance.csv?level=outlet&sort=complaints",
                                     headers: [("Cookie", "kesu_session=\(try await session("quality"))")])
        XCTAssertTrue(outlets.body.hasPrefix("\u{FEFF}编码,名称,投诉量"), String(outlets.body.prefix(40)))
        let pudong = try XCTUnwrap(outlets.body.split(separator: "\r\n").first { $0.hasPrefix("SH-PD,") })
        XCTAssertTrue(pudong.contains(",3,0,0,1,0,0,20.00,"), String(pudong))
        let region = try await page("region-east", "level=outlet")
        XCTAssertTrue(region.body.contains("SH-PD") && !region.body.contains("GZ-TH"), "a region sees its outlets")
        let bad = try await page("quality", "from=2026-13-01")
        XCTAssertEqual(bad.status, .badRequest)
        let agents = try await page("supervisor", "level=agent")
        XCTAssertTrue(agents.body.contains("客服 李娜"), "agents have lines too")
    }
}
