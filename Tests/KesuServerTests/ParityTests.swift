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
}
