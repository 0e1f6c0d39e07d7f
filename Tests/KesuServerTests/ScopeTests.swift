import Foundation
import KesuServer
import Vapor
import XCTest

/// Outlet and region users see and change only their part of the organisation.
final class ScopeTests: KesuTestCase, @unchecked Sendable {
    func testOutletUserSeesOnlyTheirOutlet() async throws {
        let pudong = try await recordedNumber()
        let tianhe = try await recordedNumber(as: "agent", ["customer": ["name": "何先生", "phone": "13511112222"]])
        let unrouted = try await recordedNumber(as: "agent", ["customer": ["name": "赵女士", "phone": "13633334444"]])
        _ = try await call(.PATCH, "/api/v1/complaints/\(pudong)", as: "supervisor", json: ["outlet": "SH-PD"])
        _ = try await call(.PATCH, "/api/v1/complaints/\(tianhe)", as: "supervisor", json: ["outlet": "GZ-TH"])

        let list = try await call(.GET, "/api/v1/complaints", as: "outlet-pd")
        let numbers = (list.json["items"] as? [[String: Any]] ?? []).compactMap { $0["number"] as? String }
        XCTAssertEqual(numbers, [pudong])
        let phone = ((list.json["items"] as? [[String: Any]])?.first?["customer"] as? [String: Any])?["phone"] as? String
        XCTAssertEqual(phone, "138****5678", "outlet staff see masked phones")

        let own = try await call(.GET, "/api/v1/complaints/\(pudong)", as: "outlet-pd")
        XCTAssertEqual(own.status, .ok)
        for other in [tianhe, unrouted] {
            let reply = try await call(.GET, "/api/v1/complaints/\(other)", as: "outlet-pd")
            XCTAssertEqual(reply.status, .forbidden, reply.body)
            XCTAssertEqual(reply.errorCode, "forbidden")
            let move = try await call(.POST, "/api/v1/complaints/\(other)/transitions", as: "outlet-pd", json: ["to": "triaged"])
            XCTAssertEqual(move.status, .forbidden)
        }
        let work = try await call(.POST, "/api/v1/complaints/\(pudong)/notes", as: "outlet-pd",
                                  json: ["body": "已核实，快递员未送上门", "customerVisible": false])
        XCTAssertEqual(work.status, .created)
        let reroute = try await call(.PATCH, "/api/v1/complaints/\(pudong)", as: "outlet-pd", json: ["outlet": "GZ-TH"])
        XCTAssertEqual(reroute.status, .forbidden)
    }

    func testRegionUserSeesTheirSubtree() async throws {
        let east = try await recordedNumber()
        let south = try await recordedNumber(as: "agent", ["customer": ["name": "何先生", "phone": "13511112222"]])
        _ = try await call(.PATCH, "/api/v1/complaints/\(east)", as: "supervisor", json: ["outlet": "HZ-XH"])
        _ = try await call(.PATCH, "/api/v1/complaints/\(south)", as: "supervisor", json: ["outlet": "GZ-TH"])
        let list = try await call(.GET, "/api/v1/complaints", as: "region-east")
        let numbers = (list.json["items"] as? [[String: Any]] ?? []).compactMap { $0["number"] as? String }
        XCTAssertEqual(numbers, [east])
        let hq = try await call(.GET, "/api/v1/complaints", as: "quality")
        XCTAssertEqual((hq.json["items"] as? [[String: Any]])?.count, 2)
        let forbidden = try await call(.GET, "/api/v1/complaints/\(south)", as: "region-east")
        XCTAssertEqual(forbidden.status, .forbidden)
    }

    func testRolesThatMayNot() async throws {
        let createUser = try await call(.POST, "/api/v1/users", as: "agent", json: [
            "username": "mallory", "displayName": "M", "password": "password123", "role": "admin", "unit": "HQ",
        ])
        XCTAssertEqual(createUser.status, .forbidden, createUser.body)
        let shipment = try await call(.PUT, "/api/v1/shipments/YT1234567890", as: "agent",
                                      json: ["serviceFeeFen": 1200, "itemKind": "documents", "trackingEvents": []])
        XCTAssertEqual(shipment.status, .forbidden)
        let users = try await call(.GET, "/api/v1/users", as: "outlet-pd")
        XCTAssertEqual(users.status, .forbidden)
        let users2 = try await count("users")
        XCTAssertEqual(users2, 12, "nothing was added (eleven demo users and the admin)")
    }
}
