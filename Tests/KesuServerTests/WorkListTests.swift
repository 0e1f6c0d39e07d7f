import Foundation
import KesuCore
import KesuServer
import KesuStore
import SQLKit
import Vapor
import XCTest

/// 工单列表 as a work list: its orders page both ways without gaps, its views and counts, saved and shared views,
/// bulk actions all or none, the first action assigning, and the flash message after an action.
final class WorkListTests: KesuTestCase, @unchecked Sendable {
    func page(_ path: String, cookie: String) async throws -> Reply {
        try await call(.GET, path, headers: [("Cookie", "kesu_session=\(cookie)")])
    }

    func post(_ path: String, cookie: String, form: String) async throws -> Reply {
        let csrf = try formToken(in: try await page("/complaints", cookie: cookie).body)
        return try await call(.POST, path, raw: "_csrf=\(csrf)&" + form,
                              headers: [("Cookie", "kesu_session=\(cookie)"),
                                        ("Content-Type", "application/x-www-form-urlencoded")])
    }

    /// The complaint numbers of a list page, in order.
    func numbers(_ html: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: #"name="numbers\[\]" value="(KS\d+)""#)
        return regex.matches(in: html, range: NSRange(html.startIndex..., in: html)).compactMap {
            Range($0.range(at: 1), in: html).map { String(html[$0]) }
        }
    }

    func testEveryOrderPagesBothWaysWithoutGapsOrRepeats() async throws {
        var numbers: [String] = []
        for i in 0..<13 {
            numbers.append(try await recordedNumber(["customer": ["name": "顾客\(i)", "phone": "1390000\(1000 + i)"],
                                                     "waybillNumbers": ["YT\(800_000 + i)"]]))
        }
        // Ties and gaps on purpose: three complaints share a deadline, two have none, priorities repeat.
        let sql = try app.db.sql
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        for (i, number) in numbers.enumerated() {
            let due: Date? = i < 2 ? nil : i < 5 ? base : base.addingTimeInterval(Double(i) * 600 + 0.123)
            try await sql.raw("""
                UPDATE complaints SET due_at = \(bind: due), priority = \(bind: ["P1", "P2", "P3"][i % 3]),
                    updated_at = \(bind: base.addingTimeInterval(Double(i % 4) * 60))
                WHERE number = \(bind: number)
                """).run()
        }
        for sort in ComplaintSort.allCases {
            var query = ComplaintListQuery()
            query.limit = 4
            var forward: [[ComplaintRow]] = []
            var cursor: SortCursor?
            repeat {
                let page = try await query.page(sort: sort, after: cursor, on: app.db)
                forward.append(page.rows)
                cursor = page.next
            } while cursor != nil && forward.count < 10
            let all = forward.flatMap { $0 }
            XCTAssertEqual(all.count, 13, "\(sort): every complaint once")
            XCTAssertEqual(Set(all.map(\.number)), Set(numbers), "\(sort)")
            for (a, b) in zip(all, all.dropFirst()) {
                switch sort {
                case .deadline:
                    XCTAssertTrue(a.dueAt != nil || b.dueAt == nil, "no deadline comes last")
                    if let x = a.dueAt, let y = b.dueAt { XCTAssertLessThanOrEqual(x, y) }
                    if a.dueAt == b.dueAt { XCTAssertLessThanOrEqual(a.priority, b.priority) }
                case .priority: XCTAssertLessThanOrEqual(a.priority, b.priority)
                case .age: XCTAssertLessThanOrEqual(a.receivedAt, b.receivedAt)
                case .updated: XCTAssertGreaterThanOrEqual(a.updatedAt, b.updatedAt)
                case .newest: XCTAssertGreaterThanOrEqual(a.receivedAt, b.receivedAt)
                }
            }
            // Back from the last page: the same pages in reverse.
            var backward: [[ComplaintRow]] = [forward[forward.count - 1]]
            var before = try await lastPreviousToken(forward, sort: sort, query: query)
                .flatMap { SortCursor(token: $0, sort: sort) }
            while let edge = before {
                let page = try await query.page(sort: sort, before: edge, on: app.db)
                backward.insert(page.rows, at: 0)
                before = page.previous
            }
            XCTAssertEqual(backward.map { $0.map(\.number) }, forward.map { $0.map(\.number) }, "\(sort) backwards")
        }
    }

    /// The saved view a list address names (`saved=<id>`).
    func savedID(_ location: String) throws -> UUID {
        let range = try XCTUnwrap(location.range(of: #"saved=[0-9A-Fa-f-]{36}"#, options: .regularExpression))
        return try XCTUnwrap(UUID(uuidString: String(location[range].dropFirst(6))))
    }

    /// The previous-page cursor of the last forward page, read by fetching that page again.
    func lastPreviousToken(_ pages: [[ComplaintRow]], sort: ComplaintSort, query: ComplaintListQuery) async throws
        -> String?
    {
        var cursor: SortCursor?
        var page = try await query.page(sort: sort, on: app.db)
        for _ in 1..<pages.count {
            cursor = page.next
            page = try await query.page(sort: sort, after: cursor, on: app.db)
        }
        return page.previous?.token
    }

    func testMyOpenWorkByDeadlineWithCountsFiltersAndSavedViews() async throws {
        let old = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60 * 3_600))
        let breached = try await recordedNumber(["receivedAt": old, "description": "两天前投诉，至今无人联系"])
        let fresh = try await recordedNumber(["description": "今天的快件延误"])
        let others = try await recordedNumber(["description": "别人的投诉，再不解决我就找媒体曝光"])
        for number in [breached, fresh] {
            let r = try await call(.PATCH, "/api/v1/complaints/\(number)", as: "supervisor", json: ["assignee": "agent"])
            XCTAssertEqual(r.status, .ok, r.body)
        }
        _ = try await call(.PATCH, "/api/v1/complaints/\(others)", as: "supervisor", json: ["assignee": "agent2"])
        let agent = try await session("agent")

        // The default view is my open work, nearest deadline first: the breached complaint leads.
        let mine = try await page("/complaints", cookie: agent)
        XCTAssertEqual(numbers(mine.body), [breached, fresh])
        XCTAssertTrue(mine.body.contains("共 2 件"), "the view's total")
        XCTAssertTrue(mine.body.contains("超时"), "the breach is said in words")
        // Column headers sort: the order in use says which way it reads, the others link to theirs.
        XCTAssertTrue(mine.body.contains("<th scope=\"col\" aria-sort=\"ascending\"><a class=\"sort-head\""), "deadline is the order")
        XCTAssertTrue(mine.body.contains("sort=updated"), "the last-change column links to its order")
        XCTAssertTrue(mine.body.contains(">距上次更新</a>"), "the column of the last change")
        let open = try await page("/complaints?view=open&sort=age", cookie: agent)
        XCTAssertEqual(numbers(open.body).first, breached, "oldest first")
        XCTAssertTrue(open.body.contains("aria-sort=\"descending\"><a class=\"sort-head\" href=\"/complaints?view=open&amp;sort=age"),
                      "oldest first reads as the longest age first")
        XCTAssertEqual(Set(numbers(open.body)), Set([breached, fresh, others]))
        let closed = try await page("/complaints?view=closed", cookie: agent)
        XCTAssertEqual(numbers(closed.body), [], "closed complaints only in their own view")

        // Counts of the side bar's views, and of the list looked at.
        let counts = try await page("/complaints/counts?view=open", cookie: agent)
        XCTAssertEqual(counts.status, .ok, counts.body)
        XCTAssertEqual(counts.json["current"] as? Int, 3)
        let views = try XCTUnwrap(counts.json["views"] as? [String: Int])
        XCTAssertEqual(views["mine"], 2)
        XCTAssertEqual(views["unassigned"], 0)

        // A saved view keeps its filters and shows its count; an agent may not share one.
        let saved = try await post("/complaints/views", cookie: agent,
                                   form: "name=%E8%88%86%E6%83%85&query=view%3Dopen%26flag%3Dmedia_risk")
        XCTAssertEqual(saved.status, .seeOther, saved.body)
        let location = try XCTUnwrap(saved.headers.first(name: .location))
        XCTAssertTrue(location.contains("flag=media_risk") && location.contains("done=view_saved"), location)
        let list = try await page(location, cookie: agent)
        XCTAssertEqual(numbers(list.body), [others])
        XCTAssertTrue(list.body.contains("视图已保存"), "the flash message")
        XCTAssertTrue(list.body.contains(">舆情 <span class=\"n\""), "the view in the side bar")
        let withSaved = try await page("/complaints/counts", cookie: agent)
        XCTAssertEqual((withSaved.json["views"] as? [String: Int])?[try savedID(location).uuidString], 1,
                       "the saved view counts its one complaint")
        let shareByAgent = try await post("/complaints/views", cookie: agent, form: "name=x&share=1&query=view%3Dopen")
        XCTAssertEqual(shareByAgent.status, .badRequest)
        XCTAssertTrue(shareByAgent.body.contains("只有主管可以共享视图"), "said in the reader's language")

        // A supervisor shares a view with the unit: a colleague sees it, and may not remove it.
        let supervisor = try await session("supervisor")
        let shared = try await post("/complaints/views", cookie: supervisor, form: "name=P1%E7%9B%AF%E5%8D%95&share=1&query=view%3Durgent")
        XCTAssertEqual(shared.status, .seeOther, shared.body)
        let sharedID = try savedID(try XCTUnwrap(shared.headers.first(name: .location)))
        let colleagueSees = try await page("/complaints", cookie: agent)
        XCTAssertTrue(colleagueSees.body.contains("P1盯单"))
        XCTAssertFalse(colleagueSees.body.contains("/complaints/views/\(sharedID)/delete"), "no remove button for them")
        let ownerSees = try await page("/complaints", cookie: supervisor)
        XCTAssertTrue(ownerSees.body.contains("/complaints/views/\(sharedID)/delete"), "the owner's remove button")
        let removeOthers = try await post("/complaints/views/\(sharedID)/delete", cookie: agent, form: "")
        XCTAssertEqual(removeOthers.status, .forbidden)
        let removeOwn = try await post("/complaints/views/\(sharedID)/delete", cookie: supervisor, form: "")
        XCTAssertEqual(removeOwn.status, .seeOther)
        let gone = try await page("/complaints", cookie: agent)
        XCTAssertFalse(gone.body.contains("P1盯单"))

        // Filters: received dates, flags, outlet.
        let today = try await page("/complaints?view=open&from=2000-01-01&to=2000-01-02", cookie: agent)
        XCTAssertEqual(numbers(today.body), [], "nothing received in 2000")
        let flagged = try await page("/complaints?view=open&flag=media_risk", cookie: agent)
        XCTAssertEqual(numbers(flagged.body), [others])
    }

    func testTheFirstReplyOrMoveAssignsAndSaysSo() async throws {
        let replied = try await recordedNumber()
        let moved = try await recordedNumber()
        let noted = try await recordedNumber()
        _ = try await call(.POST, "/api/v1/complaints/\(noted)/notes", as: "agent", json: ["body": "内部核对", "customerVisible": false])
        _ = try await call(.POST, "/api/v1/complaints/\(replied)/notes", as: "agent",
                           json: ["body": "您好，我们正在处理。", "customerVisible": true])
        _ = try await call(.POST, "/api/v1/complaints/\(moved)/transitions", as: "agent2", json: ["to": "triaged"])
        func assignee(_ number: String) async throws -> String? {
            let detail = try await call(.GET, "/api/v1/complaints/\(number)", as: "supervisor")
            return (detail.json["assignee"] as? [String: Any])?["username"] as? String
        }
        let a = try await assignee(replied), b = try await assignee(moved), c = try await assignee(noted)
        XCTAssertEqual(a, "agent")
        XCTAssertEqual(b, "agent2")
        XCTAssertNil(c, "an internal note does not take the complaint")
        // Said on the timeline, in the reader's language; a second action changes nothing.
        _ = try await call(.POST, "/api/v1/complaints/\(replied)/transitions", as: "agent2", json: ["to": "triaged"])
        let still = try await assignee(replied)
        XCTAssertEqual(still, "agent")
        let page = try await page("/complaints/\(replied)", cookie: try await session("agent"))
        XCTAssertTrue(page.body.contains("首次处理此工单，已自动分派给本人"))
    }

    func testBulkMoveAndNoteAreAllOrNone() async throws {
        let a = try await recordedNumber(), b = try await recordedNumber()
        let agent = try await session("agent")
        let moved = try await post("/complaints/bulk", cookie: agent,
                                   form: "numbers[]=\(a)&numbers[]=\(b)&action=move&to=triaged&back=/complaints")
        XCTAssertEqual(moved.status, .seeOther, moved.body)
        XCTAssertEqual(moved.headers.first(name: .location), "/complaints?done=bulk_moved&n=2")
        let flashed = try await page("/complaints?done=bulk_moved&n=2", cookie: agent)
        XCTAssertTrue(flashed.body.contains("已流转 2 件工单"))
        // b moves on alone; then going on to executing is legal for a but not for b, so neither moves.
        _ = try await call(.POST, "/api/v1/complaints/\(b)/transitions", as: "agent", json: ["to": "investigating"])
        let refused = try await post("/complaints/bulk", cookie: agent, form: "numbers[]=\(a)&numbers[]=\(b)&action=move&to=executing")
        XCTAssertEqual(refused.status, .conflict, refused.body)
        for (number, status) in [(a, "triaged"), (b, "investigating")] {
            let detail = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
            XCTAssertEqual(detail.json["status"] as? String, status, "unchanged")
        }
        let closing = try await post("/complaints/bulk", cookie: agent, form: "numbers[]=\(a)&action=move&to=closed")
        XCTAssertEqual(closing.status, .unprocessableEntity, "closing is one by one")

        let noted = try await post("/complaints/bulk", cookie: agent,
                                   form: "numbers[]=\(a)&numbers[]=\(b)&action=note&note=%E7%BB%9F%E4%B8%80%E5%A4%8D%E6%A0%B8")
        XCTAssertEqual(noted.status, .seeOther, noted.body)
        for number in [a, b] {
            let detail = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
            let notes = (detail.json["timeline"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "note" }
            XCTAssertEqual(notes.compactMap { $0["note"] as? String }, ["统一复核"])
            XCTAssertEqual(notes.first?["customerVisible"] as? Bool, false)
        }
        // A number ticked twice is one complaint, and the message counts complaints.
        let twice = try await post("/complaints/bulk", cookie: agent, form: "numbers[]=\(a)&numbers[]=\(a)&action=note&note=again")
        XCTAssertEqual(twice.headers.first(name: .location), "/complaints?done=bulk_noted&n=1")
        let empty = try await post("/complaints/bulk", cookie: agent, form: "numbers[]=\(a)&action=note&note=%20")
        XCTAssertEqual(empty.status, .unprocessableEntity)
    }

    func testARepliesByDefaultAndEveryActionSaysItWorked() async throws {
        let number = try await recordedNumber()
        let agent = try await session("agent")
        let complaint = try await page("/complaints/\(number)", cookie: agent)
        // The composer replies to the customer unless the agent chooses a note.
        XCTAssertTrue(complaint.body.contains(#"name="visible" value="1" checked"#))
        let composer = try XCTUnwrap(complaint.body.range(of: "id=\"composer\""))
        let firstFold = try XCTUnwrap(complaint.body.range(of: "<details"))
        XCTAssertLessThan(composer.lowerBound, firstFold.lowerBound, "the composer comes before anything folded")
        XCTAssertTrue(complaint.body.contains("核对分类和优先级"), "the next step for a new complaint")

        let csrf = try formToken(in: complaint.body)
        let form = [("Cookie", "kesu_session=\(agent)"), ("Content-Type", "application/x-www-form-urlencoded")]
        let reply = try await call(.POST, "/complaints/\(number)/notes", raw: "_csrf=\(csrf)&body=%E6%82%A8%E5%A5%BD&visible=1",
                                   headers: form)
        XCTAssertEqual(reply.headers.first(name: .location), "/complaints/\(number)?done=replied")
        let moved = try await call(.POST, "/complaints/\(number)/transition", raw: "_csrf=\(csrf)&to=triaged", headers: form)
        let location = try XCTUnwrap(moved.headers.first(name: .location))
        XCTAssertEqual(location, "/complaints/\(number)?done=moved&to=triaged")
        let after = try await page(location, cookie: agent)
        XCTAssertTrue(after.body.contains("工单已转为「已分派」"))
        XCTAssertTrue(after.body.contains("开始调查"), "the next step moved on")
        let customer = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        XCTAssertNotNil(customer.json["firstReplyAt"], "the reply went to the customer")
        // An unknown flash key shows nothing.
        let unknown = try await page("/complaints/\(number)?done=nonsense", cookie: agent)
        XCTAssertFalse(unknown.body.contains("class=\"flash\""))
    }
}
