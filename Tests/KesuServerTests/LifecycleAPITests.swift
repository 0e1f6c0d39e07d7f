import Foundation
import KesuServer
import Vapor
import XCTest

final class LifecycleAPITests: KesuTestCase, @unchecked Sendable {
    func move(_ number: String, to status: String, as user: String = "agent", extra: [String: Any] = [:]) async throws -> Reply {
        var body: [String: Any] = ["to": status]
        for (k, v) in extra { body[k] = v }
        return try await call(.POST, "/api/v1/complaints/\(number)/transitions", as: user, json: body)
    }

    func testWalksTheWholeLifecycleWithEveryStepOnTheTimeline() async throws {
        let number = try await recordedNumber()
        for status in ["triaged", "investigating", "proposing", "awaiting_customer", "executing", "follow_up"] {
            let reply = try await move(number, to: status, extra: ["note": "进入 \(status)"])
            XCTAssertEqual(reply.status, .ok, "\(status): \(reply.body)")
            XCTAssertEqual(reply.json["status"] as? String, status)
        }
        // Closing without the record answers 422 naming the missing fields and changes nothing.
        let incomplete = try await move(number, to: "closed", extra: ["resolutionSummary": "已重新派送"])
        XCTAssertEqual(incomplete.status, .unprocessableEntity, incomplete.body)
        XCTAssertEqual(incomplete.errorCode, "missing_fields")
        let missing = (incomplete.json["error"] as? [String: Any])?["details"] as? [String: [String]]
        XCTAssertEqual(missing?["missing"], ["responsibleParty", "rootCause"])
        let stillOpen = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        XCTAssertEqual(stillOpen.json["status"] as? String, "follow_up")

        let closed = try await move(number, to: "closed", extra: [
            "resolutionSummary": "已重新派送并道歉", "responsibleParty": "courier", "rootCause": "派送员未按规范派送",
        ])
        XCTAssertEqual(closed.status, .ok, closed.body)
        XCTAssertEqual(closed.json["responsibleParty"] as? String, "courier")
        XCTAssertNotNil(closed.json["closedAt"])
        XCTAssertEqual(closed.json["allowedTransitions"] as? [String], ["reopened"])

        let detail = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        let timeline = try XCTUnwrap(detail.json["timeline"] as? [[String: Any]])
        let changes = timeline.filter { $0["kind"] as? String == "status_changed" }
        XCTAssertEqual(changes.count, 7)
        XCTAssertEqual((changes.last?["before"] as? [String: String])?["status"], "follow_up")
        XCTAssertEqual((changes.last?["after"] as? [String: String])?["status"], "closed")
        XCTAssertEqual(changes.last?["actorName"] as? String, "客服 李娜")
        let notes = timeline.filter { $0["kind"] as? String == "note" }
        XCTAssertEqual(notes.count, 6)
        XCTAssertTrue(notes.allSatisfy { $0["customerVisible"] as? Bool == false }, "transition notes are internal")

        // Reopening counts as a repeat.
        let reopened = try await move(number, to: "reopened", extra: ["note": "回访不满意"])
        XCTAssertEqual(reopened.json["status"] as? String, "reopened")
        XCTAssertTrue((reopened.json["flags"] as? [String])?.contains("repeat") == true)
        XCTAssertNil(reopened.json["closedAt"])
    }

    func testIllegalTransitionIs409NamingTheAllowedOnesAndChangesNothing() async throws {
        let number = try await recordedNumber()
        let before = try await count("complaint_events")
        let reply = try await move(number, to: "executing")
        XCTAssertEqual(reply.status, .conflict, reply.body)
        XCTAssertEqual(reply.errorCode, "illegal_transition")
        XCTAssertTrue(reply.errorMessage?.contains("triaged") == true, reply.body)
        let allowed = (reply.json["error"] as? [String: Any])?["details"] as? [String: [String]]
        XCTAssertEqual(allowed?["allowed"], ["triaged", "on_hold"])
        let after = try await count("complaint_events")
        XCTAssertEqual(before, after)
        let detail = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        XCTAssertEqual(detail.json["status"] as? String, "received")
    }

    func testOnHoldReturnsToWhereItWas() async throws {
        let number = try await recordedNumber()
        _ = try await move(number, to: "triaged")
        _ = try await move(number, to: "investigating")
        let held = try await move(number, to: "on_hold", extra: ["note": "等待客户提供照片"])
        XCTAssertEqual(held.json["heldFrom"] as? String, "investigating")
        XCTAssertEqual(held.json["allowedTransitions"] as? [String], ["investigating"])
        let wrong = try await move(number, to: "proposing")
        XCTAssertEqual(wrong.status, .conflict)
        let back = try await move(number, to: "investigating")
        XCTAssertEqual(back.status, .ok)
        XCTAssertNil(back.json["heldFrom"])
    }

    func testUnknownStatusAndUnknownComplaint() async throws {
        let number = try await recordedNumber()
        let unknown = try await move(number, to: "done")
        XCTAssertEqual(unknown.status, .badRequest, unknown.body)
        let missing = try await move("KS20200101999999", to: "triaged")
        XCTAssertEqual(missing.status, .notFound)
        XCTAssertEqual(missing.errorCode, "not_found")
    }

    func testNotesRepliesAndChangesAreOnTheTimeline() async throws {
        let created = try await record()
        let number = try XCTUnwrap(created.json["number"] as? String)
        XCTAssertNil(created.json["firstReplyAt"])
        let note = try await call(.POST, "/api/v1/complaints/\(number)/notes", as: "agent",
                                  json: ["body": "已联系网点", "customerVisible": false])
        XCTAssertEqual(note.status, .created, note.body)
        XCTAssertEqual(note.json["kind"] as? String, "note")
        let reply = try await call(.POST, "/api/v1/complaints/\(number)/notes", as: "agent",
                                   json: ["body": "您好，我们今天18:00前回复您。", "customerVisible": true])
        XCTAssertEqual(reply.json["kind"] as? String, "reply")
        let empty = try await call(.POST, "/api/v1/complaints/\(number)/notes", as: "agent",
                                   json: ["body": "   ", "customerVisible": true])
        XCTAssertEqual(empty.status, .unprocessableEntity)

        let patched = try await call(.PATCH, "/api/v1/complaints/\(number)", as: "supervisor",
                                     json: ["assignee": "agent2", "outlet": "HZ-XH", "category": "delay", "priority": "P2"])
        XCTAssertEqual(patched.status, .ok, patched.body)
        XCTAssertEqual((patched.json["assignee"] as? [String: Any])?["username"] as? String, "agent2")
        XCTAssertEqual((patched.json["outlet"] as? [String: Any])?["code"] as? String, "HZ-XH")
        XCTAssertEqual(patched.json["category"] as? String, "delay")
        XCTAssertEqual(patched.json["priority"] as? String, "P2")
        XCTAssertNotNil(patched.json["firstReplyAt"])

        let detail = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        let kinds = (detail.json["timeline"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        for kind in ["created", "note", "reply", "assigned", "routed", "category_changed", "priority_changed"] {
            XCTAssertTrue(kinds.contains(kind), "\(kind) in \(kinds)")
        }
        // The agent's reply made the unassigned complaint theirs; then the supervisor handed it to agent2.
        let assigned = (detail.json["timeline"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "assigned" }
            .map { $0["after"] as? [String: String] ?? [:] }
        XCTAssertEqual(assigned.map { $0["assignee"] }, ["agent", "agent2"])
        XCTAssertEqual(assigned.first?["why"], "first_action")

        // An agent may take a complaint but not hand it to someone else.
        let take = try await call(.PATCH, "/api/v1/complaints/\(number)", as: "agent", json: ["assignee": "agent"])
        XCTAssertEqual(take.status, .ok, take.body)
        let give = try await call(.PATCH, "/api/v1/complaints/\(number)", as: "agent", json: ["assignee": "agent2"])
        XCTAssertEqual(give.status, .forbidden, give.body)
        let nobody = try await call(.PATCH, "/api/v1/complaints/\(number)", as: "supervisor", json: ["assignee": "ghost"])
        XCTAssertEqual(nobody.status, .unprocessableEntity)
    }
}
