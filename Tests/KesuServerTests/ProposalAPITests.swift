import Foundation
import KesuCore
import KesuServer
import KesuStore
import SQLKit
import XCTest

/// Proposals: authority limits, approval once and never by the proposer, offers only when ready, the customer's
/// decision moving the complaint.
final class ProposalAPITests: KesuTestCase, @unchecked Sendable {
    func proposing() async throws -> String {
        let number = try await recordedNumber()
        for status in ["triaged", "proposing"] {
            let moved = try await call(.POST, "/api/v1/complaints/\(number)/transitions", as: "agent", json: ["to": status])
            XCTAssertEqual(moved.status, .ok, moved.body)
        }
        return number
    }

    func propose(_ number: String, _ kind: String, _ fen: Int, as user: String = "agent") async throws -> Reply {
        try await call(.POST, "/api/v1/complaints/\(number)/proposals", as: user,
                       json: ["kind": kind, "amountFen": fen, "description": "按规则赔偿并致歉"])
    }

    func act(_ number: String, _ id: String, _ action: String, as user: String, json: Any? = nil) async throws -> Reply {
        try await call(.POST, "/api/v1/complaints/\(number)/proposals/\(id)/\(action)", as: user, json: json)
    }

    func status(_ number: String) async throws -> String? {
        try await call(.GET, "/api/v1/complaints/\(number)", as: "agent").json["status"] as? String
    }

    func testAboveTheLimitWaitsForOneApprovalThenTheCustomerDecides() async throws {
        let number = try await proposing()
        let big = try await propose(number, "compensation", 30_000)
        XCTAssertEqual(big.status, .created, big.body)
        XCTAssertEqual(big.json["state"] as? String, "pending_approval", "¥300 is above the agent's ¥100")
        let bigID = try XCTUnwrap(big.json["id"] as? String)
        let early = try await act(number, bigID, "offer", as: "agent")
        XCTAssertEqual(early.status, .conflict, "never offered before approval")
        let value1 = try await act(number, bigID, "approve", as: "agent").status
        XCTAssertEqual(value1, .forbidden, "not by the proposer")
        let value2 = try await act(number, bigID, "approve", as: "agent2").status
        XCTAssertEqual(value2, .forbidden, "¥100 does not cover it")
        let inbox = try await call(.GET, "/api/v1/notifications", as: "supervisor")
        XCTAssertTrue((inbox.json["items"] as? [[String: Any]] ?? []).contains { $0["kind"] as? String == "approval_needed" })
        let approved = try await act(number, bigID, "approve", as: "supervisor")
        XCTAssertEqual(approved.status, .ok, approved.body)
        XCTAssertEqual(approved.json["state"] as? String, "ready")
        XCTAssertEqual(approved.json["approvedBy"] as? String, "主管 张伟")
        let value3 = try await act(number, bigID, "approve", as: "quality").status
        XCTAssertEqual(value3, .conflict, "approved once")

        let small = try await propose(number, "coupon", 1_000)
        XCTAssertEqual(small.json["state"] as? String, "ready")
        let value4 = try await propose(number, "coupon", 5_000).status
        XCTAssertEqual(value4, .unprocessableEntity, "above the ¥20 coupon cap")
        let value5 = try await propose(number, "refund", 0).status
        XCTAssertEqual(value5, .unprocessableEntity)

        let offered = try await act(number, bigID, "offer", as: "agent")
        XCTAssertEqual(offered.status, .ok, offered.body)
        let value6 = try await status(number)
        XCTAssertEqual(value6, "awaiting_customer")
        let noReason = try await act(number, bigID, "decision", as: "agent", json: ["accepted": false])
        XCTAssertEqual(noReason.status, .unprocessableEntity)
        let rejected = try await act(number, bigID, "decision", as: "agent",
                                     json: ["accepted": false, "reason": "希望补发而不是赔钱"])
        XCTAssertEqual(rejected.json["state"] as? String, "rejected")
        let value7 = try await status(number)
        XCTAssertEqual(value7, "proposing", "back to proposing for the next option")

        let smallID = try XCTUnwrap(small.json["id"] as? String)
        _ = try await act(number, smallID, "offer", as: "agent")
        let accepted = try await act(number, smallID, "decision", as: "agent", json: ["accepted": true])
        XCTAssertEqual(accepted.json["state"] as? String, "accepted")
        let value8 = try await status(number)
        XCTAssertEqual(value8, "executing")

        let detail = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        let timeline = detail.json["timeline"] as? [[String: Any]] ?? []
        let kinds = timeline.map { $0["kind"] as? String ?? "" }
        XCTAssertEqual(kinds.filter { $0 == "proposal_approved" }.count, 1)
        XCTAssertEqual(kinds.filter { $0 == "proposal_offered" }.count, 2)
        let visible = timeline.filter { $0["customerVisible"] as? Bool == true }.map { $0["kind"] as? String ?? "" }
        XCTAssertFalse(visible.contains("proposal_made"), "drafts stay internal")
        XCTAssertFalse(visible.contains("proposal_approved"))
        XCTAssertTrue(visible.contains("proposal_accepted"))

        let listed = try await call(.GET, "/api/v1/complaints/\(number)/proposals", as: "agent")
        XCTAssertEqual(listed.jsonArray?.map { $0["state"] as? String ?? "" }, ["rejected", "accepted"])

        // An admin raises the agent's limit: ¥300 is then within it.
        let value9 = try await call(.PUT, "/api/v1/authority-limits/agent", as: "supervisor",
                                      json: ["limitFen": 50_000]).status
        XCTAssertEqual(value9, .forbidden)
        let raised = try await call(.PUT, "/api/v1/authority-limits/agent", as: "admin", json: ["limitFen": 50_000])
        XCTAssertEqual(raised.status, .ok, raised.body)
        let other = try await proposing()
        let value10 = try await propose(other, "compensation", 30_000).json["state"] as? String
        XCTAssertEqual(value10, "ready")
    }

    /// Twenty approvers press at the same moment, two hundred times: each time exactly one approval succeeds and
    /// one approval event is written.
    func testTwentyConcurrentApprovalsGiveExactlyOne() async throws {
        let org = OrgService(app: app, db: app.db, as: .system)
        var approvers: [String] = []
        for i in 0..<20 {
            let name = "sup\(i)"
            _ = try await org.createUser(username: name, displayName: "主管\(i)", password: Bootstrap.demoPassword,
                                         role: .supervisor, unitCode: "HQ")
            _ = try await token(for: name)
            approvers.append(name)
        }
        let number = try await proposing()
        let bearers = approvers.compactMap { tokens[$0] }
        let rounds = 200
        var wins = 0
        for _ in 0..<rounds {
            let made = try await propose(number, "compensation", 30_000)
            let id = try XCTUnwrap(made.json["id"] as? String)
            let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                for bearer in bearers {
                    group.addTask {
                        try await self.call(.POST, "/api/v1/complaints/\(number)/proposals/\(id)/approve",
                                            headers: [("Authorization", "Bearer \(bearer)")]).status.code
                    }
                }
                var all: [UInt] = []
                for try await code in group { all.append(code) }
                return all
            }
            XCTAssertEqual(statuses.filter { $0 == 200 }.count, 1, "round for \(id): \(statuses)")
            XCTAssertEqual(statuses.filter { $0 == 409 }.count, 19)
            let events = try await app.db.sql.raw("""
                SELECT COUNT(*) AS n FROM complaint_events WHERE kind = 'proposal_approved' AND "after" LIKE \(bind: "%" + id + "%")
                """).first()
            XCTAssertEqual(try events?.decode(column: "n", as: Int.self), 1)
            wins += statuses.filter { $0 == 200 }.count
        }
        XCTAssertEqual(wins, rounds)
    }

    func pageSession(_ user: String) async throws -> (cookie: [(String, String)], token: String) {
        let cookie = [("Cookie", "kesu_session=\(try await session(user))")]
        let page = try await call(.GET, "/complaints", headers: cookie)
        return (cookie, try formToken(in: page.body))
    }

    func form(_ path: String, _ s: (cookie: [(String, String)], token: String), _ fields: String = "") async throws -> Reply {
        try await call(.POST, path, raw: "_csrf=\(s.token)" + fields,
                       headers: s.cookie + [("Content-Type", "application/x-www-form-urlencoded")])
    }

    func testThePageDraftsApprovesOffersAndRecordsTheDecision() async throws {
        let number = try await proposing()
        let agent = try await pageSession("agent")
        let made = try await form("/complaints/\(number)/proposals", agent,
                                  "&kind=compensation&amount=300&description=%E8%B5%94%E5%81%BF%E8%B4%A7%E6%AC%BE")
        XCTAssertEqual(made.status, .seeOther, made.body)
        let bad = try await form("/complaints/\(number)/proposals", agent, "&kind=compensation&amount=3oo&description=xx")
        XCTAssertEqual(bad.status, .badRequest)
        let page = try await call(.GET, "/complaints/\(number)", headers: agent.cookie)
        XCTAssertTrue(page.body.contains("待审批"))
        XCTAssertFalse(page.body.contains("/approve\""), "the proposer sees no approve button")
        let listed = try await call(.GET, "/api/v1/complaints/\(number)/proposals", as: "agent")
        let id = try XCTUnwrap(listed.jsonArray?.first?["id"] as? String)

        let supervisor = try await pageSession("supervisor")
        let supPage = try await call(.GET, "/complaints/\(number)", headers: supervisor.cookie)
        XCTAssertTrue(supPage.body.contains("/proposals/\(id)/approve"))
        let approved = try await form("/complaints/\(number)/proposals/\(id)/approve", supervisor)
        XCTAssertEqual(approved.status, .seeOther, approved.body)
        let offered = try await form("/complaints/\(number)/proposals/\(id)/offer", agent)
        XCTAssertEqual(offered.status, .seeOther)
        let accepted = try await form("/complaints/\(number)/proposals/\(id)/accept", agent)
        XCTAssertEqual(accepted.status, .seeOther)
        let after = try await call(.GET, "/complaints/\(number)", headers: agent.cookie)
        XCTAssertTrue(after.body.contains("客户已接受"))
        let final = try await status(number)
        XCTAssertEqual(final, "executing")
    }

    func testTheCustomerRejectsOneOfferAndAcceptsTheNextOnTheirPage() async throws {
        let number = try await proposing()
        let first = try await propose(number, "reship", 0)
        let second = try await propose(number, "coupon", 2_000)
        let firstID = try XCTUnwrap(first.json["id"] as? String)
        let secondID = try XCTUnwrap(second.json["id"] as? String)
        let form = [("Content-Type", "application/x-www-form-urlencoded")]
        let tracked = try await call(.POST, "/portal/track", raw: "number=\(number)&phone=13812345678", headers: form)
        let link = try XCTUnwrap(tracked.headers.first(name: .location))

        let before = try await call(.GET, link)
        XCTAssertFalse(before.body.contains("/proposals/"), "nothing is offered yet, drafts stay hidden")
        _ = try await act(number, firstID, "offer", as: "agent")
        let offered = try await call(.GET, link)
        XCTAssertTrue(offered.body.contains("我们的处理方案"))
        XCTAssertTrue(offered.body.contains("/proposals/\(firstID)/accept"))
        XCTAssertFalse(offered.body.contains(secondID), "only what was offered")

        let noReason = try await call(.POST, "\(link)/proposals/\(firstID)/reject", raw: "reason=", headers: form)
        XCTAssertEqual(noReason.status, .unprocessableEntity)
        let rejected = try await call(.POST, "\(link)/proposals/\(firstID)/reject",
                                      raw: "reason=%E6%88%91%E6%9B%B4%E5%B8%8C%E6%9C%9B%E8%A1%A5%E5%81%BF", headers: form)
        XCTAssertEqual(rejected.status, .seeOther, rejected.body)
        let back = try await status(number)
        XCTAssertEqual(back, "proposing")
        _ = try await act(number, secondID, "offer", as: "agent")
        let accepted = try await call(.POST, "\(link)/proposals/\(secondID)/accept", headers: form)
        XCTAssertEqual(accepted.status, .seeOther)
        let executing = try await status(number)
        XCTAssertEqual(executing, "executing")
        let again = try await call(.POST, "\(link)/proposals/\(secondID)/accept", headers: form)
        XCTAssertEqual(again.status, .conflict, "decided once")
        let wrongLink = try await call(.POST, "/t/\(String(repeating: "x", count: 40))/proposals/\(secondID)/accept",
                                       headers: form)
        XCTAssertEqual(wrongLink.status, .notFound)

        let page = try await call(.GET, link)
        XCTAssertTrue(page.body.contains("客户拒绝方案"))
        XCTAssertTrue(page.body.contains("客户在线确认"))
        let timeline = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent").json["timeline"] as? [[String: Any]]
        let decisions = (timeline ?? []).filter { ($0["kind"] as? String ?? "").hasPrefix("proposal_") && $0["kind"] as? String != "proposal_made" }
        XCTAssertEqual(decisions.map { $0["actorName"] as? String ?? "" }.filter { $0 == "客户（网页）" }.count, 2)
    }

    func testAnAcceptedProposalBecomesTasksAndTheLastOneDoneMovesToFollowUp() async throws {
        let number = try await proposing()
        _ = try await call(.PATCH, "/api/v1/complaints/\(number)", as: "agent", json: ["assignee": "agent"])
        _ = try await call(.PUT, "/api/v1/complaints/\(number)/responsibility", as: "agent",
                           json: ["party": "outlet", "unit": "SH-PD", "reason": "网点未按约定送货上门"])
        let made = try await propose(number, "compensation", 5_000)
        let id = try XCTUnwrap(made.json["id"] as? String)
        _ = try await act(number, id, "offer", as: "agent")
        let accepted = try await act(number, id, "decision", as: "agent", json: ["accepted": true])
        XCTAssertEqual(accepted.status, .ok, accepted.body)

        let tasks = try await call(.GET, "/api/v1/complaints/\(number)/tasks", as: "agent")
        let list = try XCTUnwrap(tasks.jsonArray)
        XCTAssertEqual(list.count, 1)
        XCTAssertEqual(list.first?["kind"] as? String, "pay")
        XCTAssertEqual(list.first?["owner"] as? String, "客服 李娜")
        XCTAssertEqual(list.first?["done"] as? Bool, false)
        let detail = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        let planned = (detail.json["timeline"] as? [[String: Any]] ?? []).first { $0["kind"] as? String == "execution_planned" }
        XCTAssertEqual(planned?["customerVisible"] as? Bool, true)
        let text = planned?["note"] as? String ?? ""
        for part in ["原因：网点未按约定送货上门", "办理步骤：1. 支付款项", "前办妥并联系您", "办理人：客服 李娜"] {
            XCTAssertTrue(text.contains(part), "\(part) in \(text)")
        }

        let taskID = try XCTUnwrap(list.first?["id"] as? String)
        let page = try await call(.GET, "/complaints/\(number)", headers: (try await pageSession("agent")).cookie)
        XCTAssertTrue(page.body.contains("/tasks/\(taskID)/done"))
        let done = try await call(.POST, "/api/v1/complaints/\(number)/tasks/\(taskID)/done", as: "agent",
                                  json: ["note": "已通过微信转账"])
        XCTAssertEqual(done.status, .ok, done.body)
        XCTAssertEqual(done.jsonArray?.first?["done"] as? Bool, true)
        let followUp = try await status(number)
        XCTAssertEqual(followUp, "follow_up")
        let twice = try await call(.POST, "/api/v1/complaints/\(number)/tasks/\(taskID)/done", as: "agent", json: [String: Any]())
        XCTAssertEqual(twice.status, .conflict)
        let after = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        let finished = (after.json["timeline"] as? [[String: Any]] ?? []).first { $0["kind"] as? String == "execution_done" }
        XCTAssertEqual(finished?["customerVisible"] as? Bool, true)
    }
}
