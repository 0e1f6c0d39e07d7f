import Foundation
import KesuCore
import KesuServer
import SQLKit
import XCTest

/// 回访: the customer answers on their page or staff record a call; two attempts a day apart; 不满意 reopens.
final class FollowUpTests: KesuTestCase, @unchecked Sendable {
    let start = Date(timeIntervalSince1970: 1_795_485_600)

    override func setUp() async throws {
        fixedClock = FixedClock(start)
        try await super.setUp()
    }

    func move(_ number: String, _ statuses: [String]) async throws {
        for status in statuses {
            let moved = try await call(.POST, "/api/v1/complaints/\(number)/transitions", as: "agent", json: ["to": status])
            XCTAssertEqual(moved.status, .ok, "\(status): \(moved.body)")
        }
    }

    func testUnsatisfiedReopensAndSatisfiedLetsItClose() async throws {
        let number = try await recordedNumber()
        let early = try await call(.POST, "/api/v1/complaints/\(number)/follow-ups", as: "agent", json: ["outcome": "satisfied"])
        XCTAssertEqual(early.status, .conflict, "no follow-up before execution")
        try await move(number, ["triaged", "executing", "follow_up"])

        let form = [("Content-Type", "application/x-www-form-urlencoded")]
        let tracked = try await call(.POST, "/portal/track", raw: "number=\(number)&phone=13812345678", headers: form)
        let link = try XCTUnwrap(tracked.headers.first(name: .location))
        let page = try await call(.GET, link)
        XCTAssertTrue(page.body.contains("您对这次投诉的处理满意吗"))

        let missed = try await call(.POST, "/api/v1/complaints/\(number)/follow-ups", as: "agent", json: ["outcome": "no_answer"])
        XCTAssertEqual(missed.status, .created, missed.body)
        let tooSoon = try await call(.POST, "/api/v1/complaints/\(number)/follow-ups", as: "agent",
                                     json: ["outcome": "no_answer"])
        XCTAssertEqual(tooSoon.status, .conflict, "the second attempt is a day later")

        fixedClock?.advance(by: 86_400)
        tokens = [:]
        let unhappy = try await call(.POST, "\(link)/survey",
                                     raw: "outcome=unsatisfied&comment=%E8%B5%94%E5%81%BF%E5%A4%AA%E5%B0%91", headers: form)
        XCTAssertEqual(unhappy.status, .seeOther, unhappy.body)
        let reopened = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        XCTAssertEqual(reopened.json["status"] as? String, "reopened")
        XCTAssertTrue((reopened.json["flags"] as? [String] ?? []).contains("repeat"))
        let after = try await call(.GET, link)
        XCTAssertFalse(after.body.contains("您对这次投诉的处理满意吗"), "asked no more once answered")
        XCTAssertTrue(after.body.contains("客户评价：不满意"))

        // Worked again the next hours; this time the customer is satisfied, and the complaint can be closed.
        fixedClock?.advance(by: 3_600)
        try await move(number, ["triaged", "executing", "follow_up"])
        let again = try await call(.GET, link)
        XCTAssertTrue(again.body.contains("您对这次投诉的处理满意吗"), "a new follow-up after the new execution")
        let happy = try await call(.POST, "/api/v1/complaints/\(number)/follow-ups", as: "agent",
                                   json: ["outcome": "satisfied", "comment": "客户表示感谢"])
        XCTAssertEqual(happy.status, .created, happy.body)
        let twice = try await call(.POST, "\(link)/survey", raw: "outcome=satisfied", headers: form)
        XCTAssertEqual(twice.status, .conflict, "answered already")
        let list = try await call(.GET, "/api/v1/complaints/\(number)/follow-ups", as: "agent")
        XCTAssertEqual(list.jsonArray?.map { $0["outcome"] as? String ?? "" }, ["no_answer", "unsatisfied", "satisfied"])
        XCTAssertEqual(list.jsonArray?.map { $0["via"] as? String ?? "" }, ["phone", "portal", "phone"])
        let closed = try await call(.POST, "/api/v1/complaints/\(number)/transitions", as: "agent", json: [
            "to": "closed", "resolutionSummary": "已补发并致歉", "responsibleParty": "outlet", "rootCause": "派前未电联",
        ])
        XCTAssertEqual(closed.status, .ok, closed.body)
    }

    func clocks(_ number: String, kind: String) async throws -> [[String: Any]] {
        let complaint = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        return (complaint.json["clocks"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == kind }
    }

    func testExecutionStepsAndTheFollowUpRunOnClocks() async throws {
        let number = try await recordedNumber()
        try await move(number, ["triaged", "proposing"])
        let proposal = try await call(.POST, "/api/v1/complaints/\(number)/proposals", as: "agent",
                                      json: ["kind": "coupon", "amountFen": 1_000, "description": "10元优惠券"])
        let id = try XCTUnwrap(proposal.json["id"] as? String)
        _ = try await call(.POST, "/api/v1/complaints/\(number)/proposals/\(id)/offer", as: "agent")
        let accepted = try await call(.POST, "/api/v1/complaints/\(number)/proposals/\(id)/decision", as: "agent",
                                      json: ["accepted": true])
        XCTAssertEqual(accepted.status, .ok, accepted.body)
        let step = try await clocks(number, kind: "task")
        XCTAssertEqual(step.map { $0["state"] as? String }, ["running"], "the coupon step runs on a clock")

        // A day and an hour later the step is late: it breaches once.
        fixedClock?.advance(by: 25 * 3_600)
        tokens = [:]
        let breached = try await breachesAfterTwoTicks(of: "执行任务")
        XCTAssertEqual(breached, 1)

        let task = try await call(.GET, "/api/v1/complaints/\(number)/tasks", as: "agent")
        let taskID = try XCTUnwrap(task.jsonArray?.first?["id"] as? String)
        let done = try await call(.POST, "/api/v1/complaints/\(number)/tasks/\(taskID)/done", as: "agent", json: [:])
        XCTAssertEqual(done.status, .ok, done.body)
        let met = try await clocks(number, kind: "task")
        XCTAssertEqual(met.map { $0["state"] as? String }, ["met"])
        // Now in follow_up: the visit is due within a day; one that reaches no one sets the next a day later.
        let visit = try await clocks(number, kind: "follow_up")
        XCTAssertEqual(visit.map { $0["state"] as? String }, ["running"])
        _ = try await call(.POST, "/api/v1/complaints/\(number)/follow-ups", as: "agent", json: ["outcome": "no_answer"])
        let second = try await clocks(number, kind: "follow_up")
        XCTAssertEqual(second.map { $0["state"] as? String ?? "" }.sorted(), ["met", "running"])
        fixedClock?.advance(by: 86_400)
        tokens = [:]
        _ = try await call(.POST, "/api/v1/complaints/\(number)/follow-ups", as: "agent", json: ["outcome": "satisfied"])
        let answered = try await clocks(number, kind: "follow_up")
        XCTAssertEqual(answered.map { $0["state"] as? String }, ["met", "met"])
    }
}
