import Foundation
import KesuAPI
@testable import KesuServer
import XCTest

/// Requests that break a limit of their schema — as sent, blanks and spaces included — are 400 naming the field,
/// and change nothing; requests at the limit pass.
final class SchemaGuardTests: KesuTestCase, @unchecked Sendable {
    func testTheDocumentsLimitsAreRead() throws {
        let limits = try SchemaLimits(document: try OpenAPIDocument.load())
        let create = try XCTUnwrap(limits.operations["createComplaint"])
        XCTAssertEqual(create.body?.properties["waybillNumbers"]?.maxItems, 20)
        XCTAssertEqual(create.body?.properties["customer"]?.properties["name"]?.maxLength, 50)
        XCTAssertEqual(create.parameters.first { $0.name == "Idempotency-Key" }?.rule.maxLength, 200)
        let list = try XCTUnwrap(limits.operations["listComplaints"])
        XCTAssertEqual(list.parameters.first { $0.name == "limit" }?.rule.maximum, 200)
        XCTAssertEqual(limits.operations["getShipment"]?.template, ["shipments", "{waybill}"])
        XCTAssertGreaterThan(limits.operations.count, 50)
    }

    func testBodiesAreHeldToTheirLimitsAsSent() async throws {
        let number = try await recordedNumber()
        let before = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        let cases: [(String, [String: Any], String)] = [
            ("responsibility", ["party": "agent", "reason": "00", "evidence": Array(repeating: "", count: 11)], "evidence"),
            ("responsibility", ["party": "agent", "reason": "态度不好", "person": String(repeating: " ", count: 41)], "person"),
            ("responsibility", ["party": "agent", "reason": "态度不好" + String(repeating: " ", count: 497)], "reason"),
            ("responsibility", ["party": "agent", "reason": "态度不好", "evidence": [String(repeating: "录", count: 201)]],
             "evidence.0"),
        ]
        for (path, body, field) in cases {
            let reply = try await call(.PUT, "/api/v1/complaints/\(number)/\(path)", as: "agent", json: body)
            XCTAssertEqual(reply.status, .badRequest, "\(field): \(reply.body)")
            let details = (reply.json["error"] as? [String: Any])?["details"] as? [String: Any]
            XCTAssertNotNil(details?[field], reply.body)
        }
        let after = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        XCTAssertNil(after.json["responsibility"] as? [String: Any])
        XCTAssertEqual((after.json["timeline"] as? [Any])?.count, (before.json["timeline"] as? [Any])?.count)

        let atTheLimit = try await call(.PUT, "/api/v1/complaints/\(number)/responsibility", as: "agent", json: [
            "party": "agent", "reason": "态度不好", "person": String(repeating: "张", count: 40),
            "evidence": Array(repeating: "录音", count: 10),
        ])
        XCTAssertEqual(atTheLimit.status, .ok, atTheLimit.body)

        let tooMany = try await record(["waybillNumbers": (0..<21).map { "YT\(100_000 + $0)" }])
        XCTAssertEqual(tooMany.status, .badRequest, tooMany.body)
        let spaced = try await record(["customer": ["name": String(repeating: " ", count: 51), "phone": "13812345678"]])
        XCTAssertEqual(spaced.status, .badRequest, spaced.body)
        let shipment = try await call(.PUT, "/api/v1/shipments/YT1234567890", as: "ops-system", json: [
            "serviceFeeFen": 1200, "itemKind": "文件", "trackingEvents": [
                ["at": "2026-11-20T08:00:00Z", "kind": String(repeating: "扫", count: 39) + "  "],
            ],
        ])
        XCTAssertEqual(shipment.status, .badRequest, shipment.body)
    }

    func testQueriesPathsAndHeadersAreHeldToTheirLimits() async throws {
        for (path, field) in [
            ("/api/v1/complaints?limit=0", "limit"), ("/api/v1/complaints?limit=201", "limit"),
            ("/api/v1/complaints?q=" + String(repeating: "a", count: 101), "q"),
            ("/api/v1/shipments/YT12%0A", "waybill"), ("/api/v1/shipments/AB-123456", "waybill"),
        ] {
            let reply = try await call(.GET, path, as: "agent")
            XCTAssertEqual(reply.status, .badRequest, "\(path): \(reply.body)")
            let details = (reply.json["error"] as? [String: Any])?["details"] as? [String: Any]
            XCTAssertNotNil(details?[field], reply.body)
        }
        let fits = try await call(.GET, "/api/v1/complaints?limit=200&q=" + String(repeating: "a", count: 100), as: "agent")
        XCTAssertEqual(fits.status, .ok, fits.body)

        let complaints = try await count("complaints")
        let key = try await record(key: String(repeating: "k", count: 201))
        XCTAssertEqual(key.status, .badRequest, key.body)
        let stored = try await count("complaints")
        XCTAssertEqual(stored, complaints)
    }
}
