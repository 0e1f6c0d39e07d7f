import Foundation
import KesuCore
import KesuServer
import KesuStore
import XCTest

/// 恶意投诉 and the reviewed blacklist end to end: the signals show to staff with their evidence, only a quality
/// officer's review lists a customer, a listing never blocks a complaint but sends compensation to claims and holds a
/// fine for review, and a lifting is recorded.
final class CustomerReviewTests: KesuTestCase, @unchecked Sendable {
    static let phone = "13955550000"

    func complain(_ waybill: String, _ text: String) async throws -> String {
        try await recordedNumber(as: "agent", ["customer": ["name": "钱先生", "phone": Self.phone],
                                               "waybillNumbers": [waybill], "description": text])
    }

    func testOnlyAReviewListsACustomerAndAListingChangesHandlingNotIntake() async throws {
        var numbers: [String] = []
        for (i, text) in ["洗衣机三天没送到，要求赔偿。", "又没送到，赔偿 300 元。", "退款没到账，不赔偿就升级投诉！",
                          "要求赔偿 5000 元，否则曝光。", "还是没人管，快递员态度差。"].enumerated() {
            numbers.append(try await complain("YT66600\(i)1", text))
        }
        let detail = try await call(.GET, "/api/v1/complaints/\(numbers[0])", as: "agent")
        let customer = try XCTUnwrap((detail.json["customer"] as? [String: Any])?["id"] as? String, detail.body)
        let signals = try await call(.GET, "/api/v1/customers/\(customer)/signals", as: "agent")
        XCTAssertEqual(signals.status, .ok, signals.body)
        let kinds = Set((signals.json["signals"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String })
        XCTAssertTrue(kinds.isSuperset(of: ["repeated_demands", "many_waybills", "threat_with_money"]), signals.body)
        XCTAssertEqual(signals.json["listed"] as? Bool, false, "signals list no one")

        // Staff see the flag with its reasons; the customer's own page says nothing of it.
        let cookie = try await session("agent")
        let page = try await call(.GET, "/complaints/\(numbers[4])", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertTrue(page.body.contains("风险提示") && page.body.contains("不赔偿就升级投诉"), "the risk flag with its evidence")
        let tracked = try await call(.POST, "/portal/track", raw: "number=\(numbers[4])&phone=\(Self.phone)",
                                     headers: [("Content-Type", "application/x-www-form-urlencoded")])
        let portal = try await call(.GET, try XCTUnwrap(tracked.headers.first(name: .location)))
        XCTAssertEqual(portal.status, .ok)
        XCTAssertFalse(portal.body.contains("风险") || portal.body.contains("黑名单") || portal.body.contains("恶意"))

        // Nothing lists without a review: not an agent, not a decision on no review, not a review decided already.
        let byAgent = try await call(.POST, "/api/v1/customers/\(customer)/reviews", as: "agent", json: ["reason": "想拉黑"])
        XCTAssertEqual(byAgent.status, .forbidden, byAgent.body)
        let noReview = try await call(.POST, "/api/v1/customer-reviews/\(UUID().uuidString)/decision", as: "quality",
                                      json: ["list": true, "reason": "直接拉黑", "evidence": "口头反映", "expiresAt": "2027-06-01T00:00:00Z"])
        XCTAssertEqual(noReview.status, .notFound, noReview.body)
        let listedBefore = try await count("customer_reviews")
        XCTAssertEqual(listedBefore, 0)

        let opened = try await call(.POST, "/api/v1/customers/\(customer)/reviews", as: "quality",
                                    json: ["reason": "多次以升级投诉索赔"])
        XCTAssertEqual(opened.status, .created, opened.body)
        let review = try XCTUnwrap(opened.json["id"] as? String)
        XCTAssertFalse((opened.json["signals"] as? [Any] ?? []).isEmpty, "the signals as they stood are kept")
        let twice = try await call(.POST, "/api/v1/customers/\(customer)/reviews", as: "quality", json: ["reason": "再开一个"])
        XCTAssertEqual(twice.status, .conflict, twice.body)
        let noExpiry = try await call(.POST, "/api/v1/customer-reviews/\(review)/decision", as: "quality",
                                      json: ["list": true, "reason": "证据充分", "evidence": "通话录音"])
        XCTAssertEqual(noExpiry.status, .unprocessableEntity, noExpiry.body)
        let expires = ISO8601DateFormatter().string(from: Date().addingTimeInterval(90 * 86_400))
        let listed = try await call(.POST, "/api/v1/customer-reviews/\(review)/decision", as: "quality",
                                    json: ["list": true, "reason": "多次威胁升级投诉并索要高额赔偿", "evidence": "\(numbers[2])、\(numbers[3]) 的描述与通话录音",
                                           "expiresAt": expires])
        XCTAssertEqual(listed.status, .ok, listed.body)
        XCTAssertEqual(listed.json["state"] as? String, "listed")
        let again = try await call(.POST, "/api/v1/customer-reviews/\(review)/decision", as: "quality",
                                   json: ["list": false, "reason": "改主意"])
        XCTAssertEqual(again.status, .conflict, "a decided review stays decided")

        // A listing never blocks recording a complaint.
        let recorded = try await record(as: "agent", ["customer": ["name": "钱先生", "phone": Self.phone],
                                                       "waybillNumbers": ["YT6669999"], "description": "又一次投诉"])
        XCTAssertEqual(recorded.status, .created, recorded.body)
        let newest = try XCTUnwrap(recorded.json["number"] as? String)

        // Compensation for a listed customer waits for claims, whatever the proposer's limit.
        let proposal = try await call(.POST, "/api/v1/complaints/\(newest)/proposals", as: "agent",
                                      json: ["kind": "compensation", "amountFen": 5_000, "description": "赔偿 50 元"])
        XCTAssertEqual(proposal.json["state"] as? String, "pending_approval", proposal.body)
        let proposalID = try XCTUnwrap(proposal.json["id"] as? String)
        let bySupervisor = try await call(.POST, "/api/v1/complaints/\(newest)/proposals/\(proposalID)/approve", as: "supervisor")
        XCTAssertEqual(bySupervisor.status, .forbidden, bySupervisor.body)
        let byClaims = try await call(.POST, "/api/v1/complaints/\(newest)/proposals/\(proposalID)/approve", as: "claims")
        XCTAssertEqual(byClaims.status, .ok, byClaims.body)

        // A fine arising from their complaint goes to review suspended.
        let fine = try await call(.POST, "/api/v1/fines", as: "quality",
                                  json: ["unit": "SH-PD", "rule": "escalated_complaint", "complaint": newest, "reason": "升级投诉"])
        XCTAssertEqual(fine.status, .created, fine.body)
        XCTAssertEqual(fine.json["status"] as? String, "appealed")
        XCTAssertEqual(fine.json["suspended"] as? Bool, true)
        XCTAssertEqual((fine.json["timeline"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }, ["issued", "held"])

        // The outlet the complaint went to asks for it to be lifted (another outlet may not); quality hears of it and
        // lifts it; the lifting is recorded.
        let routed = try await call(.PATCH, "/api/v1/complaints/\(newest)", as: "supervisor", json: ["outlet": "SH-PD"])
        XCTAssertEqual(routed.status, .ok, routed.body)
        let foreign = try await call(.POST, "/api/v1/customer-reviews/\(review)/lift-requests", as: "outlet-th",
                                     json: ["reason": "不是我们的客户"])
        XCTAssertEqual(foreign.status, .forbidden, foreign.body)
        let asked = try await call(.POST, "/api/v1/customer-reviews/\(review)/lift-requests", as: "outlet-pd",
                                   json: ["reason": "客户已书面道歉，撤回投诉"])
        XCTAssertEqual(asked.status, .ok, asked.body)
        let told = try await call(.GET, "/api/v1/notifications", as: "quality2")
        XCTAssertTrue(told.body.contains("申请解除客户 钱先生 的黑名单"), told.body)
        let lifted = try await call(.POST, "/api/v1/customer-reviews/\(review)/lift", as: "quality2",
                                    json: ["reason": "客户已道歉，解除"])
        XCTAssertEqual(lifted.status, .ok, lifted.body)
        XCTAssertEqual(lifted.json["state"] as? String, "lifted")
        XCTAssertEqual((lifted.json["timeline"] as? [[String: Any]])?.compactMap { $0["kind"] as? String },
                       ["opened", "listed", "lift_asked", "lifted"])
        let after = try await call(.POST, "/api/v1/complaints/\(newest)/proposals", as: "agent",
                                   json: ["kind": "compensation", "amountFen": 5_000, "description": "赔偿 50 元"])
        XCTAssertEqual(after.json["state"] as? String, "ready", "lifted: the agent's own limit again")
        let reviewPage = try await call(.GET, "/customers/\(customer)/review", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertTrue(reviewPage.body.contains("已解除") && reviewPage.body.contains("客户已道歉，解除"), reviewPage.body)
    }
}
