import Foundation
import KesuCore
import KesuServer
import SQLKit
import Vapor
import XCTest

/// 调查任务: a question to a unit, on its own clock, seen in that unit's queue, answered with files.
final class InquiryTests: KesuTestCase, @unchecked Sendable {
    let start = Date(timeIntervalSince1970: 1_795_485_600)
    let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 9, count: 100)

    override func setUp() async throws {
        fixedClock = FixedClock(start)
        try await super.setUp()
    }

    /// Posts a multipart form: text fields, then files under `files[]`.
    func multipart(_ path: String, cookie: String, fields: [(String, String)], files: [(String, [UInt8])]) async throws -> Reply {
        let boundary = "kesu-inquiry-boundary"
        var buffer = ByteBuffer()
        for (name, value) in fields {
            buffer.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        for (name, bytes) in files {
            buffer.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"files[]\"; filename=\"\(name)\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            buffer.writeBytes(bytes)
            buffer.writeString("\r\n")
        }
        buffer.writeString("--\(boundary)--\r\n")
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        headers.replaceOrAdd(name: .cookie, value: "kesu_session=\(cookie)")
        let response = try await app.testable().performTest(
            request: .init(method: .POST, url: .init(string: path), headers: headers, body: buffer))
        return Reply(status: response.status, headers: response.headers, body: response.body.string)
    }

    func ask(_ number: String, _ body: [String: Any], as user: String = "agent") async throws -> Reply {
        try await call(.POST, "/api/v1/complaints/\(number)/inquiries", as: user, json: body)
    }

    func testTheAskedOutletSeesTheQuestionAndAnswersWithFiles() async throws {
        let number = try await recordedNumber()
        let before = try await call(.GET, "/api/v1/complaints/\(number)", as: "outlet-pd")
        XCTAssertEqual(before.status, .forbidden, "not the outlet's complaint")

        for (body, why) in [
            (["unit": "NOPE", "question": "包装照片"], "unknown unit"),
            (["unit": "SH-PD", "question": "   "], "empty question"),
            (["unit": "SH-PD-C01", "question": "通话记录"], "couriers answer through their outlet"),
            (["unit": "SH-PD", "question": "包装照片", "dueAt": "2020-01-01T00:00:00Z"], "due in the past"),
            (["unit": "SH-PD", "question": "包装照片", "dueAt": "2027-12-01T00:00:00Z"], "more than 14 days"),
        ] as [([String: Any], String)] {
            let refused = try await ask(number, body)
            XCTAssertEqual(refused.status, .unprocessableEntity, why)
        }
        let none = try await count("inquiries")
        XCTAssertEqual(none, 0, "refused questions change nothing")

        let asked = try await ask(number, ["unit": "SH-PD", "question": "请提供到站时的包装照片和派送员通话记录"])
        XCTAssertEqual(asked.status, .created, asked.body)
        XCTAssertEqual(asked.json["unitName"] as? String, "上海浦东网点")
        XCTAssertEqual(asked.json["unit"] as? String, "SH-PD")
        XCTAssertEqual(asked.json["state"] as? String, "open")
        let id = try XCTUnwrap(asked.json["id"] as? String)
        let due = try XCTUnwrap(asked.json["dueAt"] as? String)
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        XCTAssertEqual(iso.date(from: due), start.addingTimeInterval(86_400), "a day by default")

        // The question runs on a clock, and the asked outlet — and only it — now sees the complaint.
        let complaint = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        let clocks = complaint.json["clocks"] as? [[String: Any]] ?? []
        XCTAssertEqual(clocks.filter { $0["kind"] as? String == "inquiry" }.map { $0["state"] as? String }, ["running"])
        let outletView = try await call(.GET, "/api/v1/complaints/\(number)", as: "outlet-pd")
        XCTAssertEqual(outletView.status, .ok)
        let outletMove = try await call(.POST, "/api/v1/complaints/\(number)/transitions", as: "outlet-pd",
                                        json: ["to": "triaged"])
        XCTAssertEqual(outletMove.status, .forbidden, "it reads and answers, but does not work the complaint")
        let stranger = try await call(.GET, "/api/v1/complaints/\(number)", as: "outlet-th")
        XCTAssertEqual(stranger.status, .forbidden)
        let waiting = try await call(.GET, "/api/v1/inquiries", as: "outlet-pd")
        XCTAssertEqual(waiting.jsonArray?.compactMap { $0["complaintNumber"] as? String }, [number])
        let elsewhere = try await call(.GET, "/api/v1/inquiries", as: "outlet-th")
        XCTAssertEqual(elsewhere.jsonArray?.count, 0)
        let region = try await call(.GET, "/api/v1/inquiries", as: "region-east")
        XCTAssertEqual(region.jsonArray?.count, 1, "a region sees its outlets' questions")

        // The outlet's people were told; its queue page lists the question.
        let told = try await call(.GET, "/api/v1/notifications", as: "outlet-pd")
        XCTAssertTrue(told.body.contains("调查任务"), told.body)
        let cookie = try await session("outlet-pd")
        let queue = try await call(.GET, "/complaints", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertTrue(queue.body.contains("待本单位答复的调查"))
        XCTAssertTrue(queue.body.contains("请提供到站时的包装照片"))

        // Answered on the complaint page with two files.
        let page = try await call(.GET, "/complaints/\(number)", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertTrue(page.body.contains("/inquiries/\(id)/answer"), "the outlet gets the answer form")
        XCTAssertFalse(page.body.contains("/transition\""), "and no work forms")
        fixedClock?.advance(by: 3_600)
        let answered = try await multipart("/complaints/\(number)/inquiries/\(id)/answer", cookie: cookie,
                                           fields: [("_csrf", try formToken(in: page.body)), ("answer", "到站时外包装完好，照片和通话记录见附件")],
                                           files: [("arrival.png", png), ("calls.pdf", Array("%PDF-1.4 calls".utf8))])
        XCTAssertEqual(answered.status, .seeOther, answered.body)
        let again = try await call(.POST, "/api/v1/complaints/\(number)/inquiries/\(id)/answer", as: "outlet-pd",
                                   json: ["answer": "再答一次"])
        XCTAssertEqual(again.status, .conflict, "answered once")

        let list = try await call(.GET, "/api/v1/complaints/\(number)/inquiries", as: "agent")
        let row = try XCTUnwrap(list.jsonArray?.first)
        XCTAssertEqual(row["state"] as? String, "answered")
        XCTAssertEqual(row["answeredBy"] as? String, "浦东网点 刘洋")
        let files = try await app.db.sql.raw("SELECT file_name, customer_visible FROM attachments WHERE inquiry_id = \(bind: UUID(uuidString: id))")
            .all().map { try $0.decode(column: "file_name", as: String.self) }
        XCTAssertEqual(files.sorted(), ["arrival.png", "calls.pdf"], "the files join the evidence")
        let after = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        let inquiryClock = (after.json["clocks"] as? [[String: Any]] ?? []).first { $0["kind"] as? String == "inquiry" }
        XCTAssertEqual(inquiryClock?["state"] as? String, "met")
        let events = after.json["timeline"] as? [[String: Any]] ?? []
        let kinds = events.compactMap { $0["kind"] as? String }
        XCTAssertTrue(kinds.contains("inquiry_sent") && kinds.contains("inquiry_answered"))
        XCTAssertTrue(events.filter { ($0["kind"] as? String ?? "").hasPrefix("inquiry") }
            .allSatisfy { $0["customerVisible"] as? Bool == false }, "investigations stay internal")
        let asker = try await call(.GET, "/api/v1/notifications", as: "agent")
        XCTAssertTrue(asker.body.contains("已答复调查"), "the asker is told")
        let emptied = try await call(.GET, "/api/v1/inquiries", as: "outlet-pd")
        XCTAssertEqual(emptied.jsonArray?.count, 0)
    }

    func testAnOverdueQuestionWarnsOnceAndClosingWithdrawsIt() async throws {
        let number = try await recordedNumber()
        let due = ISO8601DateFormatter().string(from: start.addingTimeInterval(2 * 3_600))
        let asked = try await ask(number, ["unit": "TC-SH", "question": "请核实分拣记录", "dueAt": due])
        XCTAssertEqual(asked.status, .created, asked.body)
        let unanswerable = try await call(.POST, "/api/v1/complaints/\(number)/inquiries/\(asked.json["id"] as? String ?? "")/answer",
                                          as: "outlet-pd", json: ["answer": "不是我们"])
        XCTAssertEqual(unanswerable.status, .forbidden, "another unit's question")

        fixedClock?.advance(by: 3 * 3_600)
        tokens = [:]
        let fired = try await breachesAfterTwoTicks(of: "调查回复")
        XCTAssertEqual(fired, 1, "the late question breaches once")

        for status in ["triaged", "executing", "follow_up"] {
            _ = try await call(.POST, "/api/v1/complaints/\(number)/transitions", as: "agent", json: ["to": status])
        }
        let closed = try await call(.POST, "/api/v1/complaints/\(number)/transitions", as: "agent", json: [
            "to": "closed", "resolutionSummary": "已致歉", "responsibleParty": "courier", "rootCause": "派前未电联",
        ])
        XCTAssertEqual(closed.status, .ok, closed.body)
        let list = try await call(.GET, "/api/v1/complaints/\(number)/inquiries", as: "agent")
        XCTAssertEqual(list.jsonArray?.first?["state"] as? String, "cancelled")
        let late = try await ask(number, ["unit": "SH-PD", "question": "还有问题"])
        XCTAssertEqual(late.status, .conflict, "a closed complaint is not investigated")
    }
}
