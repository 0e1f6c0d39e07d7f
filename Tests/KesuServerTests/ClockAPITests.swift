import Fluent
import Foundation
import KesuCore
import KesuServer
import KesuStore
import SQLKit
import XCTest

/// The clocks end to end on a clock the test moves: intake starts them, moves pause and meet them, the scheduler
/// fires them once, admins change the policies, the report counts them.
final class ClockAPITests: KesuTestCase, @unchecked Sendable {
    /// Tuesday 2026-11-24 10:00 in Shanghai.
    let start = Date(timeIntervalSince1970: 1_795_485_600)

    override func setUp() async throws {
        fixedClock = FixedClock(start)
        try await super.setUp()
    }

    var clock: FixedClock { fixedClock! }

    func advance(hours: Double) {
        clock.advance(by: hours * 3_600)
        tokens = [:]  // tokens live 12 hours on this clock too
    }

    func tick() async throws -> ClockScheduler.Tally {
        try await ClockScheduler(services: app.kesu, db: app.db, logger: app.logger).tick()
    }

    func clocks(_ number: String) async throws -> [String: [String: Any]] {
        let reply = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        XCTAssertEqual(reply.status, .ok, reply.body)
        var byKind: [String: [String: Any]] = [:]
        for clock in reply.json["clocks"] as? [[String: Any]] ?? [] {
            byKind[clock["kind"] as? String ?? "?"] = clock
        }
        return byKind
    }

    func date(_ value: Any?) -> Date? {
        (value as? String).flatMap { try? Date($0, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)) }
            ?? (value as? String).flatMap { try? Date($0, strategy: .iso8601) }
    }

    func events(_ number: String, kind: String) async throws -> [[String: Any]] {
        let reply = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        return (reply.json["timeline"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == kind }
    }

    func move(_ number: String, to status: String) async throws {
        let reply = try await call(.POST, "/api/v1/complaints/\(number)/transitions", as: "agent", json: ["to": status])
        XCTAssertEqual(reply.status, .ok, "to \(status): \(reply.body)")
    }

    func testIntakeStartsClocksAndAnOldImportIsLateAtOnce() async throws {
        let fresh = try await recordedNumber()
        let now = try await clocks(fresh)
        XCTAssertEqual(Set(now.keys), ["first_reply", "resolution", "statutory"])
        XCTAssertEqual(date(now["first_reply"]?["dueAt"]), start + 24 * 3_600)
        XCTAssertEqual(date(now["resolution"]?["dueAt"]), start + 48 * 3_600)
        XCTAssertEqual(date(now["resolution"]?["warnAt"]), start + 0.8 * 48 * 3_600)
        XCTAssertEqual(date(now["statutory"]?["dueAt"]), start + 7 * 86_400)
        XCTAssertEqual(now["resolution"]?["state"] as? String, "running")

        // Received 50 hours ago: both company clocks are past due before anything fires.
        let old = try await recordedNumber(["receivedAt": ISO8601DateFormatter().string(from: start - 50 * 3_600),
                                            "customer": ["name": "陈静", "phone": "13900001111"]])
        let late = try await clocks(old)
        XCTAssertEqual(late["resolution"]?["state"] as? String, "breached")
        XCTAssertEqual(date(late["resolution"]?["dueAt"]), start - 2 * 3_600)
        XCTAssertEqual(late["statutory"]?["state"] as? String, "running")

        let first = try await tick()
        XCTAssertEqual(first.warnings, 2)
        XCTAssertEqual(first.breaches, 2)
        XCTAssertEqual(first.escalations, 1, "one step up per complaint per tick")
        let again = try await tick()
        XCTAssertEqual(again, ClockScheduler.Tally(), "nothing fires twice")
        let breached = try await events(old, kind: "clock_breached")
        XCTAssertEqual(breached.count, 2)
        let value1 = try await events(old, kind: "clock_warning").count
        XCTAssertEqual(value1, 2)
        let value2 = try await events(old, kind: "escalated").count
        XCTAssertEqual(value2, 1)
        let value3 = try await events(fresh, kind: "clock_warning").count
        XCTAssertEqual(value3, 0)
        let detail = try await call(.GET, "/api/v1/complaints/\(old)", as: "agent")
        XCTAssertEqual(detail.json["escalationLevel"] as? Int, 1)
        // The scheduler's entries read in the reader's language, from the fields they store.
        let cookie = try await session("agent")
        for (lang, texts) in [("zh", ["已超时（时限", "即将超时（时限", "超时，升级至区域"]),
                              ("en", ["ran out (due", "is about to run out (due", "ran out; escalated to the region"])] {
            let page = try await call(.GET, "/complaints/\(old)", headers: [("Cookie", "kesu_session=\(cookie); kesu_lang=\(lang)")])
            for text in texts { XCTAssertTrue(page.body.contains(text), "\(lang): \(text)") }
            if lang == "en" { XCTAssertFalse(page.body.contains("升级至"), "no Chinese sentence on the English page") }
        }
        // The customer sees none of it.
        XCTAssertTrue(breached.allSatisfy { $0["customerVisible"] as? Bool == false })

        // HQ supervisors hear of it (the complaint has no outlet, so HQ is the nearest level).
        let inbox = try await call(.GET, "/api/v1/notifications", as: "supervisor")
        XCTAssertEqual(inbox.status, .ok, inbox.body)
        let items = inbox.json["items"] as? [[String: Any]] ?? []
        XCTAssertEqual(items.count, 4)
        XCTAssertEqual(inbox.json["unreadCount"] as? Int, 4)
        XCTAssertTrue(items.allSatisfy { $0["complaintNumber"] as? String == old })
        let read = try await call(.POST, "/api/v1/notifications/read", as: "supervisor",
                                  json: ["ids": [items[0]["id"] as? String ?? ""]])
        XCTAssertEqual(read.json["unreadCount"] as? Int, 3)
        let all = try await call(.POST, "/api/v1/notifications/read", as: "supervisor", json: [String: Any]())
        XCTAssertEqual(all.json["unreadCount"] as? Int, 0)
        let agentInbox = try await call(.GET, "/api/v1/notifications?unread=true", as: "agent2")
        XCTAssertEqual(agentInbox.json["unreadCount"] as? Int, 0)

        // A day and a half on, the fresh complaint warns (resolution at 38.4 h) and breaches its first reply.
        advance(hours: 39)
        let later = try await tick()
        XCTAssertEqual(later.warnings, 2)
        XCTAssertEqual(later.breaches, 1)
        let value4 = try await clocks(fresh)["resolution"]?["state"] as? String
        XCTAssertEqual(value4, "warning")
    }

    func testOnHoldPausesAndARepliesMeetFirstReply() async throws {
        let number = try await recordedNumber()
        try await move(number, to: "triaged")
        advance(hours: 2)
        try await move(number, to: "on_hold")
        let value5 = try await clocks(number)["resolution"]?["state"] as? String
        XCTAssertEqual(value5, "paused")
        advance(hours: 10)
        let value6 = try await tick()
        XCTAssertEqual(value6, ClockScheduler.Tally(), "paused clocks do not fire")
        try await move(number, to: "triaged")
        let resumed = try await clocks(number)
        XCTAssertEqual(date(resumed["resolution"]?["dueAt"]), start + 58 * 3_600)
        XCTAssertEqual(date(resumed["first_reply"]?["dueAt"]), start + 34 * 3_600)
        XCTAssertEqual(resumed["resolution"]?["pausedFor"] as? Double, 36_000)
        // The statutory 7 days never pause.
        XCTAssertEqual(date(resumed["statutory"]?["dueAt"]), start + 7 * 86_400)

        // An internal note meets nothing; a reply to the customer meets the first-reply clock.
        try await call(.POST, "/api/v1/complaints/\(number)/notes", as: "agent",
                       json: ["body": "已联系网点核实", "customerVisible": false])
        let value7 = try await clocks(number)["first_reply"]?["state"] as? String
        XCTAssertEqual(value7, "running")
        try await call(.POST, "/api/v1/complaints/\(number)/notes", as: "agent",
                       json: ["body": "您好，我们已收到您的投诉，正在核实。", "customerVisible": true])
        let replied = try await clocks(number)
        XCTAssertEqual(replied["first_reply"]?["state"] as? String, "met")
        XCTAssertEqual(date(replied["first_reply"]?["metAt"]), start + 12 * 3_600)
        // The queue shows the nearest deadline still open.
        let row = try await call(.GET, "/api/v1/complaints?limit=5", as: "agent")
        let item = (row.json["items"] as? [[String: Any]])?.first
        XCTAssertEqual(item?["dueKind"] as? String, "resolution")

        // Moving to follow-up meets the resolution and statutory clocks.
        for status in ["proposing", "awaiting_customer", "executing", "follow_up"] { try await move(number, to: status) }
        let done = try await clocks(number)
        XCTAssertEqual(done["resolution"]?["state"] as? String, "met")
        XCTAssertEqual(done["statutory"]?["state"] as? String, "met")
        advance(hours: 24 * 8)
        let value8 = try await tick()
        XCTAssertEqual([value8.warnings, value8.breaches, value8.escalations], [1, 1, 0],
                       "only the follow-up visit, never made, is late — and it only notifies")
        let visit = try await clocks(number)["follow_up"]?["state"] as? String
        XCTAssertEqual(visit, "breached")
    }

    func testOfferingASolutionMeetsAnUnrecordedFirstReplyLate() async throws {
        let number = try await recordedNumber()
        try await move(number, to: "triaged")
        try await move(number, to: "proposing")
        advance(hours: 30)
        try await move(number, to: "awaiting_customer")
        let offered = try await clocks(number)
        XCTAssertEqual(offered["first_reply"]?["state"] as? String, "met")
        XCTAssertEqual(offered["statutory"]?["state"] as? String, "met")
        XCTAssertEqual(offered["resolution"]?["state"] as? String, "running")
        let report = try await call(.GET, "/api/v1/reports/sla?from=\(ISO8601DateFormatter().string(from: start - 60))"
                                    + "&to=\(ISO8601DateFormatter().string(from: start + 60))&groupBy=none", as: "quality")
        let all = (report.json["rows"] as? [[String: Any]])?.first
        XCTAssertEqual(all?["firstReplyMet"] as? Int, 0, "met after its 24 hours: late")
        XCTAssertEqual(all?["breaches"] as? Int, 1)
        XCTAssertEqual((report.json["rows"] as? [[String: Any]])?.count, 1, "groupBy=none gives the total only")
    }

    func testRaisingThePriorityHoldsRunningClocksToP1() async throws {
        let number = try await recordedNumber()
        advance(hours: 3)
        let raised = try await call(.PATCH, "/api/v1/complaints/\(number)", as: "supervisor", json: ["priority": "P1"])
        XCTAssertEqual(raised.status, .ok, raised.body)
        let p1 = try await clocks(number)
        XCTAssertEqual(date(p1["resolution"]?["dueAt"]), start + 24 * 3_600, "P1 resolves within 24 h of receipt")
        XCTAssertEqual(date(p1["first_reply"]?["dueAt"]), start + 2 * 3_600)
        XCTAssertEqual(date(p1["statutory"]?["dueAt"]), start + 7 * 86_400, "the law's 7 days do not move")
        let retimed = try await events(number, kind: "clocks_retimed")
        XCTAssertEqual(retimed.count, 1)
        let fired = try await tick()
        XCTAssertEqual(fired.breaches, 1, "the 2-hour first reply is already late")
    }

    func testARowOutOfStepWithItsClockIsSetRightNotClaimedForever() async throws {
        let number = try await recordedNumber()
        try await call(.POST, "/api/v1/complaints/\(number)/notes", as: "agent",
                       json: ["body": "您好，已收到。", "customerVisible": true])
        try await app.db.sql.raw("""
            UPDATE clocks SET next_fire_at = \(bind: start - 60) WHERE kind = 'first_reply'
            """).run()
        let tally = try await tick()
        XCTAssertEqual(tally.warnings + tally.breaches, 0)
        XCTAssertEqual(tally.batches, 1)
        let left = try await app.db.sql.raw("""
            SELECT COUNT(*) AS n FROM clocks WHERE next_fire_at <= \(bind: start)
            """).first()
        XCTAssertEqual(try left?.decode(column: "n", as: Int.self), 0)
    }

    func testPromisesAndTheRegulatorsDeadline() async throws {
        let number = try await recordedNumber()
        let due = ISO8601DateFormatter().string(from: start + 3 * 3_600)
        let promised = try await call(.POST, "/api/v1/complaints/\(number)/promises", as: "agent",
                                      json: ["dueAt": due, "note": "网点主管回电"])
        XCTAssertEqual(promised.status, .created, promised.body)
        let promise = (promised.json["clocks"] as? [[String: Any]] ?? []).first { $0["kind"] as? String == "promise" }
        XCTAssertEqual(date(promise?["dueAt"]), start + 3 * 3_600)
        XCTAssertEqual(promised.json["dueKind"] as? String, "promise")
        let past = try await call(.POST, "/api/v1/complaints/\(number)/promises", as: "agent",
                                  json: ["dueAt": ISO8601DateFormatter().string(from: start - 60)])
        XCTAssertEqual(past.status, .unprocessableEntity)
        let visible = try await events(number, kind: "promise_made")
        XCTAssertEqual(visible.first?["customerVisible"] as? Bool, true)
        advance(hours: 3.5)
        let fired = try await tick()
        XCTAssertEqual(fired.breaches, 1)
        let value9 = try await clocks(number)["promise"]?["state"] as? String
        XCTAssertEqual(value9, "breached")
        // A late call still meets it, and it stays on record as late.
        try await call(.POST, "/api/v1/complaints/\(number)/notes", as: "agent",
                       json: ["body": "已回电客户", "customerVisible": true])
        let value10 = try await clocks(number)["promise"]?["state"] as? String
        XCTAssertEqual(value10, "met")

        // A regulator appeal forwarded nine days ago has a day left.
        let appeal = try await recordedNumber([
            "channel": "regulator", "customer": ["name": "赵磊", "phone": "13700002222"],
            "regulatorForwardedAt": ISO8601DateFormatter().string(from: start - 9 * 86_400),
        ])
        let regulator = try await clocks(appeal)["regulator"]
        XCTAssertEqual(date(regulator?["dueAt"]), start + 86_400)
        XCTAssertEqual(regulator?["state"] as? String, "warning")
        let wrong = try await call(.POST, "/api/v1/complaints/\(number)/notes", as: "agent",
                                   json: ["body": "回复邮管局", "customerVisible": false, "toRegulator": true])
        XCTAssertEqual(wrong.status, .unprocessableEntity, "only regulator complaints answer the regulator")
        let misplaced = try await record(["channel": "phone", "regulatorForwardedAt": ISO8601DateFormatter().string(from: start)])
        XCTAssertEqual(misplaced.status, .unprocessableEntity)
        try await call(.POST, "/api/v1/complaints/\(appeal)/notes", as: "agent",
                       json: ["body": "已按期回复邮政管理局", "customerVisible": false, "toRegulator": true])
        let value11 = try await clocks(appeal)["regulator"]?["state"] as? String
        XCTAssertEqual(value11, "met")
    }

    func testAdminsChangePoliciesAndRunningClocksKeepTheirs() async throws {
        let before = try await recordedNumber()
        let list = try await call(.GET, "/api/v1/sla-policies", as: "agent")
        XCTAssertEqual(list.status, .ok)
        let general = list.jsonArray?.first { $0["priority"] == nil && $0["category"] == nil }
        let id = try XCTUnwrap(general?["id"] as? String)
        XCTAssertEqual(general?["resolutionMinutes"] as? Int, 48 * 60)

        let denied = try await call(.PUT, "/api/v1/sla-policies/\(id)", as: "agent",
                                    json: ["firstReplyMinutes": 60, "resolutionMinutes": 720])
        XCTAssertEqual(denied.status, .forbidden)
        let bad = try await call(.PUT, "/api/v1/sla-policies/\(id)", as: "admin",
                                 json: ["firstReplyMinutes": 60, "resolutionMinutes": 720, "warnPercent": 0])
        XCTAssertEqual(bad.status, .badRequest)
        let changed = try await call(.PUT, "/api/v1/sla-policies/\(id)", as: "admin",
                                     json: ["firstReplyMinutes": 60, "resolutionMinutes": 720])
        XCTAssertEqual(changed.status, .ok, changed.body)
        XCTAssertEqual(changed.json["resolutionMinutes"] as? Int, 720)

        let after = try await recordedNumber(["customer": ["name": "钱多", "phone": "13600003333"]])
        let kept = try await clocks(before)
        let new = try await clocks(after)
        XCTAssertEqual(date(kept["resolution"]?["dueAt"]), start + 48 * 3_600, "a running clock keeps its policy")
        XCTAssertEqual(date(new["resolution"]?["dueAt"]), start + 12 * 3_600)

        // A business-time rule for one category: 9 working hours from Tuesday 10:00 end Wednesday 10:00.
        let specific = try await call(.POST, "/api/v1/sla-policies", as: "admin", json: [
            "category": "damage", "firstReplyMinutes": 120, "resolutionMinutes": 540, "businessTime": true,
            "breachActions": ["notify", "reassign"],
        ])
        XCTAssertEqual(specific.status, .created, specific.body)
        let twice = try await call(.POST, "/api/v1/sla-policies", as: "admin",
                                   json: ["category": "damage", "firstReplyMinutes": 60, "resolutionMinutes": 60])
        XCTAssertEqual(twice.status, .conflict)
        let damaged = try await recordedNumber(["category": "damage", "customer": ["name": "孙悦", "phone": "13500004444"]])
        let business = try await clocks(damaged)
        XCTAssertEqual(date(business["resolution"]?["dueAt"]), start + 24 * 3_600)
        XCTAssertEqual(business["resolution"]?["businessTime"] as? Bool, true)

        // At breach this rule hands the complaint to the nearest supervisor.
        advance(hours: 25)
        _ = try await tick()
        let detail = try await call(.GET, "/api/v1/complaints/\(damaged)", as: "agent")
        XCTAssertEqual((detail.json["assignee"] as? [String: Any])?["username"] as? String, "supervisor")
        let general2 = try await call(.DELETE, "/api/v1/sla-policies/\(id)", as: "admin")
        XCTAssertEqual(general2.status, .conflict, "the general policy stays")
        let removed = try await call(.DELETE, "/api/v1/sla-policies/\(specific.json["id"] as? String ?? "")", as: "admin")
        XCTAssertEqual(removed.status, .noContent)
    }

    func testCalendarEditsAndTheReport() async throws {
        let calendar = try await call(.GET, "/api/v1/calendar", as: "agent")
        XCTAssertEqual(calendar.json["timeZone"] as? String, "Asia/Shanghai")
        let days = calendar.json["days"] as? [[String: Any]] ?? []
        XCTAssertTrue(days.contains { $0["day"] as? String == "2026-10-01" && $0["kind"] as? String == "holiday" })
        XCTAssertTrue(days.contains { $0["day"] as? String == "2026-09-20" && $0["kind"] as? String == "workday" })

        let set = try await call(.PUT, "/api/v1/calendar/days/2026-11-25", as: "admin",
                                 json: ["kind": "holiday", "name": "公司年会"])
        XCTAssertEqual(set.status, .ok, set.body)
        let badDay = try await call(.PUT, "/api/v1/calendar/days/2026-13-01", as: "admin", json: ["kind": "holiday"])
        XCTAssertEqual(badDay.status, .unprocessableEntity)
        let denied = try await call(.PUT, "/api/v1/calendar/days/2026-11-26", as: "supervisor", json: ["kind": "holiday"])
        XCTAssertEqual(denied.status, .forbidden)
        let badHours = try await call(.PUT, "/api/v1/calendar/hours", as: "admin",
                                      json: [["weekday": 1, "hours": "18:00-09:00"]])
        XCTAssertEqual(badHours.status, .unprocessableEntity)
        let hours = try await call(.PUT, "/api/v1/calendar/hours", as: "admin", json: (1...6).map {
            ["weekday": $0, "hours": "08:30-17:30"]
        })
        XCTAssertEqual(hours.status, .ok, hours.body)
        XCTAssertEqual((hours.json["weeklyHours"] as? [[String: Any]])?.count, 6)

        // With Wednesday a holiday and 08:30–17:30 days, 9 working hours from Tuesday 10:00 run to Thursday 10:00.
        try await call(.POST, "/api/v1/sla-policies", as: "admin", json: [
            "category": "delay", "firstReplyMinutes": 120, "resolutionMinutes": 540, "businessTime": true,
        ])
        let late = try await recordedNumber(["category": "delay"])
        let holidayClocks = try await clocks(late)
        XCTAssertEqual(date(holidayClocks["resolution"]?["dueAt"]), start + 48 * 3_600)

        // Report: one complaint replied in 1 hour, one never.
        let replied = try await recordedNumber(["customer": ["name": "周杰", "phone": "13300005555"]])
        advance(hours: 1)
        try await call(.POST, "/api/v1/complaints/\(replied)/notes", as: "agent",
                       json: ["body": "您好，已收到。", "customerVisible": true])
        advance(hours: 30)
        let from = ISO8601DateFormatter().string(from: start - 86_400)
        let to = ISO8601DateFormatter().string(from: start + 86_400)
        let report = try await call(.GET, "/api/v1/reports/sla?from=\(from)&to=\(to)", as: "supervisor")
        XCTAssertEqual(report.status, .ok, report.body)
        let rows = report.json["rows"] as? [[String: Any]] ?? []
        let all = rows.first { $0["group"] as? String == "all" }
        XCTAssertEqual(all?["complaints"] as? Int, 2)
        XCTAssertEqual(all?["firstReplyMet"] as? Int, 1)
        XCTAssertEqual(all?["firstReplyDue"] as? Int, 2)
        XCTAssertEqual(all?["firstReplyShare"] as? Double, 0.5)
        XCTAssertEqual(all?["firstReplyMedianMinutes"] as? Double, 60)
        let denied2 = try await call(.GET, "/api/v1/reports/sla?from=\(from)&to=\(to)", as: "agent")
        XCTAssertEqual(denied2.status, .forbidden)
        let backwards = try await call(.GET, "/api/v1/reports/sla?from=\(to)&to=\(from)", as: "supervisor")
        XCTAssertEqual(backwards.status, .unprocessableEntity)
    }
}
