import Foundation
import KesuServer
import Vapor
import XCTest

final class IntakeTests: KesuTestCase, @unchecked Sendable {
    func testRecordsComplaintWithNumberAndCustomer() async throws {
        let reply = try await record()
        XCTAssertEqual(reply.status, .created, reply.body)
        let body = reply.json
        let number = try XCTUnwrap(body["number"] as? String)
        XCTAssertTrue(number.range(of: #"^KS\d{8}\d{6}$"#, options: .regularExpression) != nil, number)
        XCTAssertEqual(body["status"] as? String, "received")
        XCTAssertEqual(body["category"] as? String, "delivery_service", "suggested from 驿站")
        let customer = try XCTUnwrap(body["customer"] as? [String: Any])
        XCTAssertEqual(customer["phone"] as? String, "13812345678")
        XCTAssertEqual(customer["complaintCount"] as? Int, 1)

        // The same phone is the same customer; the second complaint is a repeat and raised.
        let second = try await record(["customer": ["name": "王芳", "phone": "138 1234 5678"], "waybillNumbers": []])
        XCTAssertEqual(second.status, .created, second.body)
        XCTAssertEqual((second.json["customer"] as? [String: Any])?["complaintCount"] as? Int, 2)
        XCTAssertEqual(second.json["priority"] as? String, "P2")
        XCTAssertTrue((second.json["flags"] as? [String])?.contains("repeat") == true)
        XCTAssertNotEqual(second.json["number"] as? String, number)
        let customers = try await count("customers")
        XCTAssertEqual(customers, 1)
    }

    func testRegulatorThreatRaisesPriorityWithReasonOnTimeline() async throws {
        let reply = try await record(["description": "三天了还没送到，再不处理我就打12305投诉", "priority": "P4"])
        XCTAssertEqual(reply.json["priority"] as? String, "P1")
        let number = try XCTUnwrap(reply.json["number"] as? String)
        let detail = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        let timeline = try XCTUnwrap(detail.json["timeline"] as? [[String: Any]])
        let raised = try XCTUnwrap(timeline.first { $0["kind"] as? String == "priority_raised" })
        XCTAssertTrue((raised["note"] as? String)?.contains("12305") == true)
        XCTAssertEqual(raised["customerVisible"] as? Bool, false)
    }

    func testIdempotencyKeyReturnsTheFirstComplaint() async throws {
        let first = try await record(key: "retry-1")
        let again = try await record(key: "retry-1")
        XCTAssertEqual(first.status, .created)
        XCTAssertEqual(again.status, .created)
        XCTAssertEqual(first.json["number"] as? String, again.json["number"] as? String)
        let complaints = try await count("complaints")
        XCTAssertEqual(complaints, 1)

        let reused = try await record(["description": "另一件事：包裹破损"], key: "retry-1")
        XCTAssertEqual(reused.status, .conflict, reused.body)
        XCTAssertEqual(reused.errorCode, "conflict")
        let after = try await count("complaints")
        XCTAssertEqual(after, 1)
    }

    func testBadInputIsRefusedAndWritesNothing() async throws {
        let cases: [(String, Reply, HTTPStatus)] = [
            ("missing description", try await call(.POST, "/api/v1/complaints", as: "agent",
                                                   json: ["channel": "phone", "customer": ["name": "王芳", "phone": "13812345678"],
                                                          "waybillNumbers": []]), .badRequest),
            ("unknown category", try await record(["category": "weather"]), .badRequest),
            ("unknown channel", try await record(["channel": "pigeon"]), .badRequest),
            ("malformed JSON", try await call(.POST, "/api/v1/complaints", as: "agent", raw: "{\"channel\": "), .badRequest),
            ("invalid phone", try await record(["customer": ["name": "王芳", "phone": "12345"]]), .badRequest),
            ("empty name", try await record(["customer": ["name": " ", "phone": "13812345678"]]), .unprocessableEntity),
            ("bad waybill", try await record(["waybillNumbers": ["<img src=x>"]]), .badRequest),
            ("future receivedAt", try await record(["receivedAt": "2099-01-01T00:00:00Z"]), .unprocessableEntity),
            ("minute 99", try await record(["receivedAt": "2026-11-01T12:99:00Z"]), .badRequest),
            ("30 February", try await record(["receivedAt": "2026-02-30T10:00:00+08:00"]), .badRequest),
            ("no zone", try await record(["receivedAt": "2026-11-01T12:00:00"]), .badRequest),
            ("ancient receivedAt", try await record(["receivedAt": "0248-04-11T16:23:42.00Z"]), .unprocessableEntity),
            ("long description", try await record(["description": String(repeating: "慢", count: 5_001)]), .badRequest),
            ("10 MB description", try await record(["description": String(repeating: "x", count: 10 << 20)]),
             .payloadTooLarge),
            ("no token", try await call(.POST, "/api/v1/complaints", json: Self.defaultComplaint), .unauthorized),
            ("outlet may not record", try await record(as: "outlet-pd"), .forbidden),
        ]
        for (name, reply, status) in cases {
            XCTAssertEqual(reply.status, status, "\(name): \(reply.body.prefix(300))")
            XCTAssertNotNil(reply.errorCode, "\(name) answers the error shape: \(reply.body.prefix(300))")
            XCTAssertFalse(reply.errorMessage?.isEmpty ?? true, name)
        }
        let complaints = try await count("complaints")
        let customers = try await count("customers")
        XCTAssertEqual(complaints, 0)
        XCTAssertEqual(customers, 0)
        // The phone problem is named as a field.
        let phone = try await record(["customer": ["name": "王芳", "phone": "12345"]])
        let details = (phone.json["error"] as? [String: Any])?["details"] as? [String: Any]
        XCTAssertNotNil(details?["customer.phone"], phone.body)
    }

    func testImportedComplaintKeepsItsReceivedTimeAndDay() async throws {
        // Sixty days ago at 02:30:00.250 UTC, i.e. 10:30 the same day in Shanghai.
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = .gmt
        let day = utc.startOfDay(for: Date().addingTimeInterval(-60 * 86_400))
        let at = day.addingTimeInterval(2.5 * 3_600 + 0.25)
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let reply = try await record(["channel": "regulator", "receivedAt": iso.string(from: at)])
        XCTAssertEqual(reply.status, .created, reply.body)
        XCTAssertEqual(reply.json["receivedAt"] as? String, iso.string(from: at))
        let c = utc.dateComponents([.year, .month, .day], from: day)
        let key = String(format: "KS%04d%02d%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
        XCTAssertTrue((reply.json["number"] as? String)?.hasPrefix(key) == true, "\(reply.json["number"] ?? "") \(key)")
        XCTAssertEqual(reply.json["priority"] as? String, "P1", "regulator forwarding is urgent")
    }

    func testAnsweredComplaintIsCommittedBeforeTheAnswer() async throws {
        let reply = try await record()
        let number = try XCTUnwrap(reply.json["number"] as? String)
        // A second application with its own connections (same SQLite file or PostgreSQL database) sees it.
        let other = try await Self.makeApp(dataDirectory: dataDirectory, fresh: false)
        let found = try await other.db.sql.raw("SELECT number FROM complaints").all()
        try await other.asyncShutdown()
        XCTAssertEqual(try found.map { try $0.decode(column: "number", as: String.self) }, [number])
    }

    func testConcurrentIntakesGetDistinctNumbers() async throws {
        _ = try await token(for: "agent")
        let numbers = try await withThrowingTaskGroup(of: String?.self) { group in
            for i in 0..<40 {
                group.addTask {
                    let reply = try await self.record(["customer": ["name": "客户\(i)", "phone": "1390000\(String(format: "%04d", i))"],
                                                       "waybillNumbers": ["YT\(100_000 + i)"]])
                    return reply.json["number"] as? String
                }
            }
            var all: [String] = []
            for try await n in group { if let n { all.append(n) } }
            return all
        }
        XCTAssertEqual(numbers.count, 40)
        XCTAssertEqual(Set(numbers).count, 40)
        let complaints = try await count("complaints")
        XCTAssertEqual(complaints, 40)
    }
}
