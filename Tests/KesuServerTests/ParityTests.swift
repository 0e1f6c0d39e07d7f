import Foundation
import KesuServer
import XCTest

/// The pages and the API run the same use cases, so the same input and the same user get the same answer.
final class ParityTests: KesuTestCase, @unchecked Sendable {
    static let users = ["agent", "supervisor", "outlet-pd", "region-east", "claims", "quality", "ops-system", "admin"]

    /// Posts a form as a logged-in user, with the form token from their home page.
    func submit(_ path: String, as username: String, form: String) async throws -> Reply {
        let cookie = try await session(username)
        let home = try await call(.GET, "/complaints", headers: [("Cookie", "kesu_session=\(cookie)")])
        let csrf = try formToken(in: home.body)
        return try await call(.POST, path, raw: "_csrf=\(csrf)&" + form,
                              headers: [("Cookie", "kesu_session=\(cookie)"), ("Accept", "text/html"),
                                        ("Content-Type", "application/x-www-form-urlencoded")])
    }

    func testCreatingAUnitNeedsTheSamePermissionOnThePageAndInTheAPI() async throws {
        var allowed: [String] = []
        for (i, user) in Self.users.enumerated() {
            let api = try await call(.POST, "/api/v1/org-units", as: user,
                                     json: ["code": "API-\(i)", "name": "测试网点\(i)", "kind": "outlet", "parent": "R-EAST"])
            let page = try await submit("/admin/units", as: user, form: "code=WEB-\(i)&name=Web\(i)&kind=outlet&parent=R-EAST")
            XCTAssertTrue([.created, .forbidden].contains(api.status), "\(user): \(api.status) \(api.body)")
            XCTAssertEqual(page.status == .seeOther, api.status == .created,
                           "\(user): page \(page.status), API \(api.status)")
            if api.status == .created { allowed.append(user) }
        }
        XCTAssertEqual(allowed, ["admin"], "only roles that may manage the organisation create units")
        let units = try await app.db.sql.raw("SELECT code FROM org_units WHERE code LIKE 'API-%' OR code LIKE 'WEB-%'")
            .all().map { try $0.decode(column: "code", as: String.self) }.sorted()
        XCTAssertEqual(units, ["API-7", "WEB-7"])
    }

    func testNoOneDisablesTheirOwnAccountOnEitherSide() async throws {
        let api = try await call(.PATCH, "/api/v1/users/admin", as: "admin", json: ["active": false])
        XCTAssertEqual(api.status, .unprocessableEntity, api.body)
        let page = try await submit("/admin/users/admin", as: "admin", form: "role=admin&unit=HQ&password=")
        XCTAssertEqual(page.status, .unprocessableEntity)
        let still = try await call(.GET, "/api/v1/users", as: "admin")
        let admin = try XCTUnwrap(still.jsonArray?.first { $0["username"] as? String == "admin" })
        XCTAssertEqual(admin["active"] as? Bool, true)
    }

    /// The numbers a queue page lists (or the one it redirects to).
    func pageNumbers(_ q: String, cookie: String) async throws -> Set<String> {
        let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q
        let page = try await call(.GET, "/complaints?q=\(encoded)", headers: [("Cookie", "kesu_session=\(cookie)")])
        if page.status == .seeOther, let location = page.headers.first(name: .location) {
            return [String(location.split(separator: "/").last ?? "")]
        }
        XCTAssertEqual(page.status, .ok, q)
        let regex = try NSRegularExpression(pattern: "KS[0-9]{14,}")
        let range = NSRange(page.body.startIndex..., in: page.body)
        return Set(regex.matches(in: page.body, range: range).compactMap { Range($0.range, in: page.body) }
            .map { String(page.body[$0]) })
    }

    func testThePageAndTheAPISearchAlike() async throws {
        let a = try await recordedNumber(["customer": ["name": "钱一", "phone": "13911112222"],
                                          "waybillNumbers": ["SF1000000001"], "description": "包裹外箱破损，里面的杯子碎了"])
        let b = try await recordedNumber(["customer": ["name": "孙二", "phone": "13933334444"],
                                          "waybillNumbers": ["SF1000000002"], "description": "快递员态度差，电话不接"])
        _ = try await recordedNumber(["customer": ["name": "李三", "phone": "021-68881234"], "waybillNumbers": [],
                                      "description": "单号 YT9999999999 一直没有更新物流"])
        let cookie = try await session("agent")
        let queries = ["13911112222", "139-1111-2222", "SF1000000002", "sf1000000001", "破损", "YT9999999999", "电话",
                       "13900000000", "无此内容", "x", b, "021-68881234"]
        var nonEmpty = 0
        for q in queries {
            let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q
            let api = try await call(.GET, "/api/v1/complaints?q=\(encoded)", as: "agent")
            XCTAssertEqual(api.status, .ok, "\(q): \(api.body)")
            let fromAPI = Set(((api.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["number"] as? String })
            let fromPage = try await pageNumbers(q, cookie: cookie)
            XCTAssertEqual(fromAPI, fromPage, "the same answer for \(q)")
            if !fromAPI.isEmpty { nonEmpty += 1 }
        }
        XCTAssertEqual(nonEmpty, 9, "phones (three), waybills (two), words (three) and a number find complaints")
        let long = try await call(.GET, "/api/v1/complaints?q=" + String(repeating: "0", count: 101), as: "agent")
        XCTAssertEqual(long.status, .badRequest, "the document's 100-character limit")
        let phone = try await call(.GET, "/api/v1/complaints?q=13911112222", as: "agent")
        XCTAssertEqual((phone.json["items"] as? [[String: Any]])?.compactMap { $0["number"] as? String }, [a])
    }
}
