import Foundation
import KesuServer
import Vapor
import XCTest

/// 二级分类: admins add, rename and retire sub-categories; intake and changes accept only one of the category's
/// offered sub-categories; the API and the complaint page show it.
final class SubcategoryTests: KesuTestCase, @unchecked Sendable {
    func testIntakeAndChangeCheckTheSubcategoryBelongsToTheCategory() async throws {
        let listed = try await call(.GET, "/api/v1/categories", as: "agent")
        XCTAssertEqual(listed.status, .ok)
        let categories = try XCTUnwrap(listed.jsonArray)
        XCTAssertEqual(categories.count, 8)
        let damage = try XCTUnwrap(categories.first { $0["code"] as? String == "damage" })
        let codes = (damage["subcategories"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        XCTAssertEqual(codes, ["broken_packaging", "damaged_contents"])

        let good = try await record(as: "agent", ["category": "damage", "subcategory": "damaged_contents"])
        XCTAssertEqual(good.status, .created, good.body)
        XCTAssertEqual(good.json["subcategory"] as? String, "damaged_contents")
        let number = try XCTUnwrap(good.json["number"] as? String)

        let before = try await count("complaints")
        let wrong = try await record(as: "agent", ["category": "delay", "subcategory": "damaged_contents"])
        XCTAssertEqual(wrong.status, .unprocessableEntity)
        XCTAssertTrue(wrong.body.contains("subcategory"), wrong.body)
        let unknown = try await record(as: "agent", ["category": "damage", "subcategory": "no_such_thing"])
        XCTAssertEqual(unknown.status, .unprocessableEntity)
        let unknownAlone = try await record(as: "agent", ["subcategory": "no_such_thing"])
        XCTAssertEqual(unknownAlone.status, .unprocessableEntity)
        XCTAssertTrue(unknownAlone.body.contains("subcategory"), unknownAlone.body)
        let after = try await count("complaints")
        XCTAssertEqual(after, before, "refused intakes write nothing")
        // The same input the intake page accepts: a sub-category alone names its category, on every channel.
        let alone = try await record(as: "agent", ["subcategory": "damaged_contents"])
        XCTAssertEqual(alone.status, .created, alone.body)
        XCTAssertEqual(alone.json["category"] as? String, "damage")

        let mismatch = try await call(.PATCH, "/api/v1/complaints/\(number)", as: "agent",
                                      json: ["subcategory": "late_delivery"])
        XCTAssertEqual(mismatch.status, .unprocessableEntity)
        let moved = try await call(.PATCH, "/api/v1/complaints/\(number)", as: "agent",
                                   json: ["category": "delay", "subcategory": "late_delivery"])
        XCTAssertEqual(moved.status, .ok, moved.body)
        XCTAssertEqual(moved.json["subcategory"] as? String, "late_delivery")
        let recategorised = try await call(.PATCH, "/api/v1/complaints/\(number)", as: "agent", json: ["category": "loss"])
        XCTAssertEqual(recategorised.json["category"] as? String, "loss")
        XCTAssertNil(recategorised.json["subcategory"], "a new category drops the old category's sub-category")
        let detail = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        let kinds = (detail.json["timeline"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        XCTAssertEqual(kinds.filter { $0 == "subcategory_changed" }.count, 2)
    }

    func testAdminAddsRenamesAndRetiresSubcategories() async throws {
        let login = try await call(.POST, "/login", raw: "username=admin&password=kesu-demo-2026",
                                   headers: [("Content-Type", "application/x-www-form-urlencoded")])
        let cookie = try XCTUnwrap(login.headers.setCookie?["kesu_session"]?.string)
        let page = try await call(.GET, "/admin/categories", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.contains("内件损坏"))
        let range = try XCTUnwrap(page.body.range(of: #"name="_csrf" value="([0-9a-f]+)""#, options: .regularExpression))
        let csrf = try XCTUnwrap(page.body[range].split(separator: "\"").dropFirst(3).first.map(String.init))
        let form = [("Cookie", "kesu_session=\(cookie)"), ("Content-Type", "application/x-www-form-urlencoded")]

        let added = try await call(.POST, "/admin/categories",
                                   raw: "_csrf=\(csrf)&category=damage&code=wet_goods&nameZh=%E6%B5%B8%E6%B9%BF&nameEn=Wet",
                                   headers: form)
        XCTAssertEqual(added.status, .seeOther, added.body)
        let badCode = try await call(.POST, "/admin/categories",
                                     raw: "_csrf=\(csrf)&category=damage&code=Bad%20Code&nameZh=x&nameEn=x", headers: form)
        XCTAssertEqual(badCode.status, .badRequest)
        let taken = try await call(.POST, "/admin/categories",
                                   raw: "_csrf=\(csrf)&category=delay&code=wet_goods&nameZh=x&nameEn=x", headers: form)
        XCTAssertEqual(taken.status, .conflict)
        let wet = try await record(as: "agent", ["category": "damage", "subcategory": "wet_goods"])
        XCTAssertEqual(wet.status, .created, wet.body)
        let number = try XCTUnwrap(wet.json["number"] as? String)

        // Renamed and retired (no `active`): no longer offered, but the complaint keeps it and shows the new name.
        let retired = try await call(.POST, "/admin/categories",
                                     raw: "_csrf=\(csrf)&code=wet_goods&nameZh=%E5%8F%97%E6%BD%AE&nameEn=Damp", headers: form)
        XCTAssertEqual(retired.status, .seeOther, retired.body)
        let refused = try await record(as: "agent", ["category": "damage", "subcategory": "wet_goods"])
        XCTAssertEqual(refused.status, .unprocessableEntity)
        let shown = try await call(.GET, "/complaints/\(number)", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertTrue(shown.body.contains("快件损毁 · 受潮"), "the complaint page names the sub-category")
        let intake = try await call(.GET, "/complaints/new", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertFalse(intake.body.contains("受潮"), "a retired sub-category is not offered")
        XCTAssertTrue(intake.body.contains("内件损坏"))

        let agentLogin = try await call(.POST, "/login", raw: "username=agent&password=kesu-demo-2026",
                                        headers: [("Content-Type", "application/x-www-form-urlencoded")])
        let agent = try XCTUnwrap(agentLogin.headers.setCookie?["kesu_session"]?.string)
        let forbidden = try await call(.GET, "/admin/categories", headers: [("Cookie", "kesu_session=\(agent)")])
        XCTAssertEqual(forbidden.status, .forbidden)
    }

    func testPhoneIntakeFormTakesTheCategoryFromTheSubcategory() async throws {
        let login = try await call(.POST, "/login", raw: "username=agent&password=kesu-demo-2026",
                                   headers: [("Content-Type", "application/x-www-form-urlencoded")])
        let cookie = try XCTUnwrap(login.headers.setCookie?["kesu_session"]?.string)
        let page = try await call(.GET, "/complaints/new", headers: [("Cookie", "kesu_session=\(cookie)")])
        let range = try XCTUnwrap(page.body.range(of: #"name="_csrf" value="([0-9a-f]+)""#, options: .regularExpression))
        let csrf = try XCTUnwrap(page.body[range].split(separator: "\"").dropFirst(3).first.map(String.init))
        let submitted = try await call(
            .POST, "/complaints/new",
            raw: "_csrf=\(csrf)&phone=13800001111&name=Zhao&email=&waybill=&priority=&key=k1&channel=phone"
                + "&category=&subcategory=locker_fee&description=fee",
            headers: [("Cookie", "kesu_session=\(cookie)"), ("Content-Type", "application/x-www-form-urlencoded")])
        XCTAssertEqual(submitted.status, .seeOther, submitted.body)
        let number = try XCTUnwrap(submitted.headers.first(name: .location)?.split(separator: "/").last.map(String.init))
        let reply = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        XCTAssertEqual(reply.json["category"] as? String, "improper_charge")
        XCTAssertEqual(reply.json["subcategory"] as? String, "locker_fee")
        // An unknown one is refused on the page as in the API, and nothing is written.
        let before = try await count("complaints")
        let unknown = try await call(
            .POST, "/complaints/new",
            raw: "_csrf=\(csrf)&phone=13800001111&name=Zhao&email=&waybill=&priority=&key=k2&channel=phone"
                + "&category=&subcategory=no_such_thing&description=fee",
            headers: [("Cookie", "kesu_session=\(cookie)"), ("Content-Type", "application/x-www-form-urlencoded")])
        XCTAssertEqual(unknown.status, .unprocessableEntity)
        let after = try await count("complaints")
        XCTAssertEqual(after, before)
    }
}
