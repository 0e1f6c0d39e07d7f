import Crypto
import Foundation
import KesuCore
@testable import KesuServer
import XCTest

/// An e-commerce platform's webhook: a signed case becomes a complaint keeping the platform's case and order ids;
/// the same case again is a duplicate; a wrong signature, an old (replayed) request, an unsigned one and an unknown
/// platform are refused and change nothing.
final class PlatformIntakeTests: KesuTestCase, @unchecked Sendable {
    override func setUp() async throws {
        environment = ["KESU_PLATFORM_SECRETS": "taobao:tb-secret-1,jd:jd-secret-2"]
        try await super.setUp()
    }

    let body = #"{"caseId":"TB-778899","orderId":"O-1001","waybillNumbers":["YT4400000001"],"customer":{"name":"王五","phone":"13812340001"},"description":"买家投诉：包裹未收到","category":"delay"}"#

    func signed(_ body: String, secret: String = "tb-secret-1", at time: Date = Date(), source: String = "taobao")
        async throws -> Reply {
        let stamp = String(Int(time.timeIntervalSince1970))
        let mac = HMAC<SHA256>.authenticationCode(for: Data((stamp + "." + body).utf8), using: SymmetricKey(data: Data(secret.utf8)))
        let signature = "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
        return try await call(.POST, "/api/v1/intake/\(source)", raw: body,
                              headers: [("Content-Type", "application/json"), ("X-Kesu-Timestamp", stamp),
                                        ("X-Kesu-Signature", signature)])
    }

    func testASignedCaseBecomesAComplaintOnceKeepingThePlatformsIDs() async throws {
        let first = try await signed(body)
        XCTAssertEqual(first.status, .created, first.body)
        let number = try XCTUnwrap(first.json["number"] as? String)
        XCTAssertEqual(first.json["duplicate"] as? Bool, false)
        let detail = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        XCTAssertEqual(detail.json["channel"] as? String, "platform")
        XCTAssertEqual(detail.json["waybillNumbers"] as? [String], ["YT4400000001"])
        let timeline = detail.json["timeline"] as? [[String: Any]] ?? []
        let kept = timeline.first { $0["kind"] as? String == "platform_case" }?["after"] as? [String: String]
        XCTAssertEqual(kept, ["source": "taobao", "caseId": "TB-778899", "orderId": "O-1001"])

        let again = try await signed(body)
        XCTAssertEqual(again.status, .ok)
        XCTAssertEqual(again.json["number"] as? String, number)
        XCTAssertEqual(again.json["duplicate"] as? Bool, true)
        let count = try await self.count("complaints")
        XCTAssertEqual(count, 1)
    }

    func testWrongOldUnsignedAndUnknownRequestsAreRefused() async throws {
        let wrong = try await signed(body, secret: "jd-secret-2")
        XCTAssertEqual(wrong.status, .unauthorized)
        let replayed = try await signed(body, at: Date().addingTimeInterval(-600))
        XCTAssertEqual(replayed.status, .unauthorized)
        XCTAssertTrue(replayed.errorMessage?.contains("replay") == true)
        let unsigned = try await call(.POST, "/api/v1/intake/taobao", raw: body, headers: [("Content-Type", "application/json")])
        XCTAssertEqual(unsigned.status, .unauthorized)
        let tampered = try await signed(body.replacingOccurrences(of: "O-1001", with: "O-1002"), secret: "tb-secret-1")
        XCTAssertEqual(tampered.status, .created, "a body signed as sent is taken")
        let unknown = try await signed(body, source: "pdd")
        XCTAssertEqual(unknown.status, .notFound)
        let broken = try await signed(#"{"caseId": 5}"#)
        XCTAssertEqual(broken.status, .badRequest)
        let invalid = try await signed(#"{"caseId":"X1","customer":{"name":"","phone":"123"},"description":"x"}"#)
        XCTAssertEqual(invalid.status.code / 100, 4)
        let count = try await self.count("complaints")
        XCTAssertEqual(count, 1, "only the properly signed case")
    }
}
