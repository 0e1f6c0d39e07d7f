import Foundation
import KesuServer
import Vapor
import XCTest

/// 来电登记: recording a phone complaint through the staff form.
final class IntakePageTests: KesuTestCase, @unchecked Sendable {
    func field(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"([^\"]*)\"", options: .regularExpression) else { return nil }
        return html[range].split(separator: "\"").dropFirst(3).first.map(String.init)
    }

    func testRecordsOnceWithErrorsShownAndValuesKept() async throws {
        let cookie = try await session("agent")
        let headers = [("Cookie", "kesu_session=\(cookie)")]
        let page = try await call(.GET, "/complaints/new", headers: headers)
        XCTAssertEqual(page.status, .ok)
        let csrf = try XCTUnwrap(field("_csrf", in: page.body))
        let key = try XCTUnwrap(field("key", in: page.body))
        let formHeaders = headers + [("Content-Type", "application/x-www-form-urlencoded")]
        func form(_ phone: String) -> String {
            "_csrf=\(csrf)&key=\(key)&phone=\(phone)&name=%E7%8E%8B%E8%8A%B3&waybill=YT1234567890&channel=phone"
                + "&category=&priority=&email=&description=%E5%BF%AB%E4%BB%B6%E5%BB%B6%E8%AF%AF"
        }
        let bad = try await call(.POST, "/complaints/new", raw: form("123"), headers: formHeaders)
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(bad.body.contains("电话：请填写手机号"), "the field in the form's words: \(bad.body)")
        XCTAssertFalse(bad.body.contains("customer.phone"), "not the API's field name")
        let english = try await call(.POST, "/complaints/new", raw: form("123"),
                                     headers: [("Cookie", "kesu_session=\(cookie); kesu_lang=en"),
                                               ("Content-Type", "application/x-www-form-urlencoded")])
        XCTAssertTrue(english.body.contains("Phone: Enter a mobile number"), english.body)
        XCTAssertTrue(bad.body.contains("YT1234567890"), "typed values are kept")
        let none = try await count("complaints")
        XCTAssertEqual(none, 0)

        let good = try await call(.POST, "/complaints/new", raw: form("13812345678"), headers: formHeaders)
        XCTAssertEqual(good.status, .seeOther, good.body)
        let location = try XCTUnwrap(good.headers.first(name: .location))
        XCTAssertTrue(location.hasPrefix("/complaints/KS"))
        let again = try await call(.POST, "/complaints/new", raw: form("13812345678"), headers: formHeaders)
        XCTAssertEqual(again.headers.first(name: .location), location, "a double submit records one complaint")
        let one = try await count("complaints")
        XCTAssertEqual(one, 1)
    }

    func testLookupShowsHistoryAndOpenComplaintOnTheWaybill() async throws {
        let number = try await recordedNumber()
        let cookie = try await session("agent")
        let reply = try await call(.GET, "/complaints/new/lookup?phone=13812345678&waybill=yt1234567890",
                                   headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertEqual(reply.status, .ok)
        XCTAssertEqual(reply.json["customer"] as? String, "王芳")
        XCTAssertEqual((reply.json["complaints"] as? [[String: Any]])?.first?["number"] as? String, number)
        XCTAssertEqual((reply.json["openOnWaybill"] as? [[String: Any]])?.first?["number"] as? String, number)
        let outlet = try await session("outlet-pd")
        let scoped = try await call(.GET, "/complaints/new/lookup?phone=13812345678",
                                    headers: [("Cookie", "kesu_session=\(outlet)")])
        XCTAssertEqual((scoped.json["complaints"] as? [[String: Any]])?.count, 0, "scoped to what the user may see")
        let form = try await call(.GET, "/complaints/new", headers: [("Cookie", "kesu_session=\(outlet)")])
        XCTAssertEqual(form.status, .forbidden, "outlet staff do not record complaints")
    }
}
