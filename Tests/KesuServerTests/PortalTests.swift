import Foundation
import KesuServer
import Vapor
import XCTest

/// The customers' pages: file a complaint, follow it by private link or by number and phone.
final class PortalTests: KesuTestCase, @unchecked Sendable {
    let form = [("Content-Type", "application/x-www-form-urlencoded")]

    func link(in html: String) -> String? {
        guard let range = html.range(of: #"/t/[A-Za-z0-9_-]{40,}"#, options: .regularExpression) else { return nil }
        return String(html[range])
    }

    /// A filing that cannot be taken says which field, in the customer's language and the form's words.
    func testAWrongFilingNamesTheFieldInTheCustomersLanguage() async throws {
        let body = "name=%E9%99%88%E9%9D%99&phone=123&waybill=YT5550001&category=&description=%E4%B8%A2%E4%BA%86&key="
        let zh = try await call(.POST, "/portal/new", raw: body, headers: form + [("Cookie", "kesu_lang=zh")])
        XCTAssertEqual(zh.status, .unprocessableEntity, zh.body)
        XCTAssertTrue(zh.body.contains("电话：请填写手机号"), zh.body)
        XCTAssertFalse(zh.body.contains("customer.phone"))
        let en = try await call(.POST, "/portal/new", raw: body, headers: form + [("Cookie", "kesu_lang=en")])
        XCTAssertTrue(en.body.contains("Phone: Enter a mobile number"), en.body)
        let complaints = try await count("complaints")
        XCTAssertEqual(complaints, 0, "nothing was filed")
    }

    func testFileFollowAndSeeOnlyWhatIsMeantForTheCustomer() async throws {
        let filed = try await call(.POST, "/portal/new", raw: "name=%E9%99%88%E9%9D%99&phone=13700004444&waybill=YT5550001&"
                                   + "category=&description=%3Cscript%3Ealert(1)%3C%2Fscript%3E%E5%8C%85%E8%A3%B9%E4%B8%A2%E4%BA%86&key=k1",
                                   headers: form)
        XCTAssertEqual(filed.status, .ok, filed.body)
        let path = try XCTUnwrap(link(in: filed.body))
        let number = try XCTUnwrap(filed.body.range(of: #"KS\d{14}"#, options: .regularExpression).map { String(filed.body[$0]) })
        let api = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        XCTAssertEqual(api.json["channel"] as? String, "web")
        XCTAssertEqual(api.json["category"] as? String, "loss", "suggested from 丢了")

        _ = try await call(.POST, "/api/v1/complaints/\(number)/notes", as: "agent",
                           json: ["body": "内部：怀疑网点私自签收", "customerVisible": false])
        _ = try await call(.POST, "/api/v1/complaints/\(number)/notes", as: "agent",
                           json: ["body": "您好，已安排网点核实，明天12:00前回复您。", "customerVisible": true])
        _ = try await call(.POST, "/api/v1/complaints/\(number)/transitions", as: "agent", json: ["to": "triaged"])

        let status = try await call(.GET, path)
        XCTAssertEqual(status.status, .ok)
        XCTAssertTrue(status.body.contains("明天12:00前回复您"))
        XCTAssertTrue(status.body.contains("状态更新为：核实中"))
        XCTAssertFalse(status.body.contains("怀疑网点私自签收"), "internal notes never reach the customer")
        XCTAssertFalse(status.body.contains("<script>alert(1)"))

        let sent = try await call(.POST, path + "/messages", raw: "body=%E8%AF%B7%E5%B0%BD%E5%BF%AB", headers: form)
        XCTAssertEqual(sent.status, .seeOther)
        let timeline = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        let kinds = (timeline.json["timeline"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        XCTAssertTrue(kinds.contains("customer_message"))

        let bogus = try await call(.GET, "/t/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        XCTAssertEqual(bogus.status, .notFound)
    }

    func testTrackByNumberAndPhoneLooksTheSameForWrongGuessesAndIsLimited() async throws {
        let number = try await recordedNumber()
        let right = try await call(.POST, "/portal/track", raw: "number=\(number)&phone=13812345678", headers: form)
        XCTAssertEqual(right.status, .seeOther)
        XCTAssertTrue(right.headers.first(name: .location)?.hasPrefix("/t/") == true)

        let wrongPhone = try await call(.POST, "/portal/track", raw: "number=\(number)&phone=13900000000", headers: form)
        let noSuchNumber = try await call(.POST, "/portal/track", raw: "number=KS20200101000001&phone=13812345678",
                                          headers: form)
        XCTAssertEqual(wrongPhone.status, noSuchNumber.status)
        XCTAssertTrue(wrongPhone.body.contains("没有找到"))
        XCTAssertEqual(wrongPhone.body.replacingOccurrences(of: "13900000000", with: "")
                           .replacingOccurrences(of: number, with: ""),
                       noSuchNumber.body.replacingOccurrences(of: "13812345678", with: "")
                           .replacingOccurrences(of: "KS20200101000001", with: ""),
                       "the answer does not tell whether the number exists")
        for _ in 0..<3 {
            _ = try await call(.POST, "/portal/track", raw: "number=\(number)&phone=13900000001", headers: form)
        }
        let locked = try await call(.POST, "/portal/track", raw: "number=\(number)&phone=13812345678", headers: form)
        XCTAssertEqual(locked.status, .tooManyRequests, "five wrong guesses lock the address for a while")
    }
}
