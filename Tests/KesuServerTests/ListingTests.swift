import Foundation
import KesuServer
import Vapor
import XCTest

final class ListingTests: KesuTestCase, @unchecked Sendable {
    /// Seven complaints received an hour apart (oldest first), alternating two customers.
    func seed() async throws -> [String] {
        var numbers: [String] = []
        for i in 0..<7 {
            let at = Date(timeIntervalSince1970: 1_790_000_000 + Double(i) * 3_600)
            let number = try await recordedNumber(as: "agent", [
                "receivedAt": ISO8601DateFormatter().string(from: at),
                "customer": ["name": i % 2 == 0 ? "王芳" : "李雷", "phone": i % 2 == 0 ? "13812345678" : "13987654321"],
                "waybillNumbers": ["YT\(700_000 + i)"],
                "category": i < 3 ? "delay" : "loss",
                "channel": i == 6 ? "wechat" : "phone",
            ])
            numbers.append(number)
        }
        return numbers
    }

    func page(_ query: String, as user: String = "agent") async throws -> (numbers: [String], next: String?) {
        let reply = try await call(.GET, "/api/v1/complaints?\(query)", as: user)
        XCTAssertEqual(reply.status, .ok, reply.body)
        let items = reply.json["items"] as? [[String: Any]] ?? []
        return (items.compactMap { $0["number"] as? String }, reply.json["nextCursor"] as? String)
    }

    func testKeysetPagingIsNewestFirstWithoutGapsOrRepeats() async throws {
        let numbers = try await seed()
        var seen: [String] = []
        var cursor: String?
        var pages = 0
        repeat {
            let result = try await page("limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""))
            seen += result.numbers
            cursor = result.next
            pages += 1
        } while cursor != nil && pages < 10
        XCTAssertEqual(pages, 3)
        XCTAssertEqual(seen, numbers.reversed())
    }

    func testFilters() async throws {
        let numbers = try await seed()
        let delay = try await page("category=delay")
        XCTAssertEqual(Set(delay.numbers), Set(numbers.prefix(3)))
        let byWaybill = try await page("waybill=yt700004")
        XCTAssertEqual(byWaybill.numbers, [numbers[4]])
        let byPhone = try await page("phone=13987654321")
        XCTAssertEqual(byPhone.numbers, [numbers[5], numbers[3], numbers[1]])
        let wechat = try await page("channel=wechat")
        XCTAssertEqual(wechat.numbers, [numbers[6]])
        let window = try await page("receivedFrom=2026-09-21T14:13:20Z&receivedTo=2026-09-21T16:13:20Z")
        XCTAssertEqual(window.numbers, [numbers[1], numbers[0]])

        _ = try await call(.POST, "/api/v1/complaints/\(numbers[2])/transitions", as: "agent", json: ["to": "triaged"])
        let triaged = try await page("status=triaged")
        XCTAssertEqual(triaged.numbers, [numbers[2]])
        _ = try await call(.PATCH, "/api/v1/complaints/\(numbers[2])", as: "agent", json: ["assignee": "agent"])
        let mine = try await page("assignee=agent")
        XCTAssertEqual(mine.numbers, [numbers[2]])
        let unassigned = try await page("assignee=none")
        XCTAssertEqual(unassigned.numbers.count, 6)
        let nobody = try await page("waybill=NOSUCH123")
        XCTAssertEqual(nobody.numbers, [])
    }

    func testBadListParametersAreRefused() async throws {
        // Outside the schema: 400; a cursor this server never gave out: 422; a phone that is no phone names nobody.
        for (query, status) in [("limit=0", HTTPStatus.badRequest), ("limit=500", .badRequest),
                                ("status=nonsense", .badRequest), ("cursor=garbage!", .unprocessableEntity)] {
            let reply = try await call(.GET, "/api/v1/complaints?\(query)", as: "agent")
            XCTAssertEqual(reply.status, status, "\(query): \(reply.body)")
            XCTAssertNotNil(reply.errorCode)
        }
        let noPhone = try await page("phone=abc")
        XCTAssertEqual(noPhone.numbers, [])
    }
}
