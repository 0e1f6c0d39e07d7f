import Foundation
import KesuServer
import Vapor
import XCTest

final class ShipmentTests: KesuTestCase, @unchecked Sendable {
    static var shipment: [String: Any] {
        [
        "serviceFeeFen": 1_200, "insuredValueFen": 50_000, "itemKind": "fresh_food",
        "originOutlet": "HZ-XH", "destinationOutlet": "SH-PD", "promisedAt": "2026-11-22T10:00:00Z",
        "trackingEvents": [
            ["at": "2026-11-20T09:00:00Z", "kind": "picked_up", "description": "快递员已揽收", "location": "杭州"],
            ["at": "2026-11-21T03:00:00+08:00", "kind": "arrived_hub", "description": "到达上海转运中心"],
        ],
        ]
    }

    func testUpsertLinksAndRoutesByWaybill() async throws {
        let put = try await call(.PUT, "/api/v1/shipments/yt1234567890", as: "ops-system", json: Self.shipment)
        XCTAssertEqual(put.status, .ok, put.body)
        XCTAssertEqual(put.json["waybillNumber"] as? String, "YT1234567890")
        XCTAssertEqual((put.json["trackingEvents"] as? [[String: Any]])?.count, 2)

        var replaced = Self.shipment
        replaced["trackingEvents"] = [["at": "2026-11-20T09:00:00Z", "kind": "picked_up"],
                                      ["at": "2026-11-22T09:00:00Z", "kind": "out_for_delivery"],
                                      ["at": "2026-11-22T15:00:00Z", "kind": "delivered"]]
        let again = try await call(.PUT, "/api/v1/shipments/YT1234567890", as: "ops-system", json: replaced)
        XCTAssertEqual((again.json["trackingEvents"] as? [[String: Any]])?.compactMap { $0["kind"] as? String },
                       ["picked_up", "out_for_delivery", "delivered"])
        let shipments = try await count("shipments")
        XCTAssertEqual(shipments, 1)

        // A complaint on the waybill goes to the destination outlet, raised for fresh food, with the shipment.
        let complaint = try await record()
        XCTAssertEqual((complaint.json["outlet"] as? [String: Any])?["code"] as? String, "SH-PD")
        XCTAssertEqual(complaint.json["priority"] as? String, "P2")
        let number = try XCTUnwrap(complaint.json["number"] as? String)
        let detail = try await call(.GET, "/api/v1/complaints/\(number)", as: "outlet-pd")
        XCTAssertEqual(detail.status, .ok, detail.body)
        let linked = try XCTUnwrap((detail.json["shipments"] as? [[String: Any]])?.first)
        XCTAssertEqual(linked["insuredValueFen"] as? Int, 50_000)
        XCTAssertEqual((linked["destinationOutlet"] as? [String: Any])?["name"] as? String, "上海浦东网点")
    }

    func testBadShipmentsAreRefused() async throws {
        var bad = Self.shipment
        bad["serviceFeeFen"] = -5
        bad["destinationOutlet"] = "NOWHERE"
        let reply = try await call(.PUT, "/api/v1/shipments/YT1234567890", as: "ops-system", json: bad)
        XCTAssertEqual(reply.status, .badRequest, reply.body)
        let details = (reply.json["error"] as? [String: Any])?["details"] as? [String: Any]
        XCTAssertNotNil(details?["serviceFeeFen"], "the schema's minimum is checked before anything is looked up")
        bad["serviceFeeFen"] = 500
        let unknown = try await call(.PUT, "/api/v1/shipments/YT1234567890", as: "ops-system", json: bad)
        XCTAssertEqual(unknown.status.code / 100, 4, unknown.body)
        XCTAssertNotNil(((unknown.json["error"] as? [String: Any])?["details"] as? [String: Any])?["destinationOutlet"],
                        unknown.body)
        let malformed = try await call(.PUT, "/api/v1/shipments/a", as: "ops-system", json: Self.shipment)
        XCTAssertEqual(malformed.status, .badRequest)
        let missing = try await call(.GET, "/api/v1/shipments/YT0000000000", as: "agent")
        XCTAssertEqual(missing.status, .notFound)
        let shipments = try await count("shipments")
        XCTAssertEqual(shipments, 0)
    }
}

final class AuthTests: KesuTestCase, @unchecked Sendable {
    func testTokensLoginAndRevocation() async throws {
        let wrong = try await call(.POST, "/api/v1/auth/token", json: ["username": "agent", "password": "wrong-password"])
        XCTAssertEqual(wrong.status, .unauthorized)
        XCTAssertEqual(wrong.errorCode, "unauthenticated")
        let ghost = try await call(.POST, "/api/v1/auth/token", json: ["username": "ghost", "password": "wrong-password"])
        XCTAssertEqual(ghost.errorMessage, wrong.errorMessage, "no hint whether the user exists")

        let me = try await call(.GET, "/api/v1/me", as: "agent")
        XCTAssertEqual(me.json["username"] as? String, "agent")
        XCTAssertEqual(me.json["role"] as? String, "agent")
        let noToken = try await call(.GET, "/api/v1/complaints")
        XCTAssertEqual(noToken.status, .unauthorized)
        let badToken = try await call(.GET, "/api/v1/complaints", headers: [("Authorization", "Bearer ks_nope")])
        XCTAssertEqual(badToken.status, .unauthorized)
        let basic = try await call(.GET, "/api/v1/complaints", headers: [("Authorization", "Basic YWdlbnQ6eA==")])
        XCTAssertEqual(basic.status, .unauthorized)

        let revoke = try await call(.DELETE, "/api/v1/auth/token", as: "agent")
        XCTAssertEqual(revoke.status, .noContent)
        let after = try await call(.GET, "/api/v1/me", as: "agent")
        XCTAssertEqual(after.status, .unauthorized)
        let hashes = try await app.db.sql.raw("SELECT token_hash FROM auth_tokens").all()
        let stored = try hashes.map { try $0.decode(column: "token_hash", as: String.self) }
        XCTAssertFalse(stored.contains(tokens["agent"] ?? ""), "only hashes are stored")
    }

    func testAdminManagesUnitsAndUsers() async throws {
        let unit = try await call(.POST, "/api/v1/org-units", as: "admin",
                                  json: ["code": "SZ-NS", "name": "深圳南山网点", "kind": "outlet", "parent": "R-SOUTH"])
        XCTAssertEqual(unit.status, .created, unit.body)
        XCTAssertEqual(unit.json["depth"] as? Int, 3)
        let misplaced = try await call(.POST, "/api/v1/org-units", as: "admin",
                                       json: ["code": "X1", "name": "错误", "kind": "region", "parent": "SZ-NS"])
        XCTAssertEqual(misplaced.status, .badRequest)
        let duplicate = try await call(.POST, "/api/v1/org-units", as: "admin",
                                       json: ["code": "SZ-NS", "name": "重复", "kind": "outlet", "parent": "R-SOUTH"])
        XCTAssertEqual(duplicate.status, .conflict)

        let user = try await call(.POST, "/api/v1/users", as: "admin", json: [
            "username": "outlet-ns", "displayName": "南山网点 林", "password": "nanshan-2026", "role": "outlet", "unit": "SZ-NS",
        ])
        XCTAssertEqual(user.status, .created, user.body)
        let login = try await call(.POST, "/api/v1/auth/token", json: ["username": "outlet-ns", "password": "nanshan-2026"])
        XCTAssertEqual(login.status, .ok)
        let token = try XCTUnwrap(login.json["token"] as? String)

        let disabled = try await call(.PATCH, "/api/v1/users/outlet-ns", as: "admin", json: ["active": false])
        XCTAssertEqual(disabled.json["active"] as? Bool, false)
        let refused = try await call(.GET, "/api/v1/me", headers: [("Authorization", "Bearer \(token)")])
        XCTAssertEqual(refused.status, .unauthorized, "disabling revokes the user's tokens")
        let units = try await call(.GET, "/api/v1/org-units", as: "agent")
        XCTAssertEqual(units.status, .ok)
    }
}

final class ServiceTests: KesuTestCase, @unchecked Sendable {
    func testHealthAndOpenAPIDocument() async throws {
        let health = try await call(.GET, "/health")
        XCTAssertEqual(health.status, .ok)
        XCTAssertEqual(health.json["status"] as? String, "ok")
        XCTAssertEqual(health.json["database"] as? String, Self.usesPostgres ? "postgresql" : "sqlite")
        let doc = try await call(.GET, "/api/openapi.yaml")
        XCTAssertEqual(doc.status, .ok)
        XCTAssertTrue(doc.body.hasPrefix("openapi: 3.1"))
        XCTAssertTrue(doc.body.contains("/complaints/{number}/transitions"))
        let nowhere = try await call(.GET, "/api/v1/nowhere", as: "agent")
        XCTAssertEqual(nowhere.status, .notFound)
        XCTAssertEqual(nowhere.errorCode, "not_found")
    }

    func testConfigurationNamesEveryProblem() {
        XCTAssertThrowsError(try AppConfig.fromEnvironment([
            "KESU_PORT": "eighty", "DATABASE_URL": "mysql://x", "KESU_TIMEZONE": "Mars/Olympus", "KESU_BCRYPT_COST": "2",
            "KESU_SMTP_URL": "ftp://relay:pw-4471@mail.example.com", "KESU_SMTP_CA_FILE": "/nonexistent/ca.pem",
        ])) { error in
            let message = String(describing: error)
            for key in ["KESU_PORT", "DATABASE_URL", "KESU_TIMEZONE", "KESU_BCRYPT_COST", "KESU_SMTP_URL", "KESU_SMTP_CA_FILE"] {
                XCTAssertTrue(message.contains(key), "\(key) in \(message)")
            }
            XCTAssertFalse(message.contains("pw-4471"), "the relay's password is not repeated")
        }
        let defaults = try? AppConfig.fromEnvironment([:])
        XCTAssertEqual(defaults?.port, 8080)
        XCTAssertEqual(defaults?.host, "127.0.0.1")
        XCTAssertEqual(defaults?.dataDirectory, "./kesu-data")
        XCTAssertEqual(defaults?.timeZone.identifier, "Asia/Shanghai")
        XCTAssertFalse(defaults?.usesPostgres ?? true)
    }
}
