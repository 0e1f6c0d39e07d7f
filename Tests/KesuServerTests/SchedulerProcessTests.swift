import Fluent
import Foundation
import KesuCore
import KesuServer
import KesuStore
import SQLKit
import XCTest

/// Two Kesu processes share one PostgreSQL database and its due clocks (2,000 of complaints, 1,000 fines' appeal
/// windows, 1,000 problem parcels' lapses); one is killed with SIGKILL partway.
/// Every warning and every breach must still fire exactly once, and a restarted process finds nothing left.
final class SchedulerProcessTests: KesuTestCase, @unchecked Sendable {
    func spawn(_ arguments: [String], output: String) throws -> Process {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        return try KesuProcess.start(arguments, environment: [
            "KESU_DATA_DIR": dataDirectory, "KESU_SCHEDULER_BATCH": "5", "KESU_SCHEDULER_INTERVAL_MS": "100",
            "LOG_LEVEL": "error",
        ], output: output).process
    }

    func fired() async throws -> Int {
        let row = try await app.db.sql.raw("""
            SELECT COUNT(*) AS n FROM complaint_events WHERE kind IN ('clock_warning', 'clock_breached')
            """).first()
        return try row?.decode(column: "n", as: Int.self) ?? -1
    }

    func waitUntil(_ what: String, seconds: Double = 120, _ done: () async throws -> Bool) async throws {
        let deadline = Date() + seconds
        while try await !done() {
            guard Date() < deadline else {
                XCTFail("timed out waiting until \(what)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func testTwoInstancesFireEachClockOnceWhenOneIsKilled() async throws {
        try XCTSkipUnless(Self.usesPostgres, "several instances share a database only on PostgreSQL")
        _ = try KesuProcess.executable()
        // 500 regulator appeals: first reply, resolution, statutory and regulator clocks — 2,000 clocks.
        let forwarded = ISO8601DateFormatter().string(from: Date() - 86_400)
        for i in 0..<500 {
            let reply = try await record(["channel": "regulator", "regulatorForwardedAt": forwarded,
                                          "customer": ["name": "客户\(i)", "phone": String(13_800_000_000 + i)]])
            XCTAssertEqual(reply.status, .created, reply.body)
        }
        // And 1,000 problem parcels of the Pudong outlet, four days old: each lapse clock reminds and alerts once.
        let outlet = try await OrgStore.find(code: "SH-PD", on: app.db)
        let outletID = try XCTUnwrap(outlet?.id), outletPath = try XCTUnwrap(outlet?.path)
        let opened = Date() - 4 * 86_400
        // And 1,000 fines on it, issued four days ago and never appealed: each appeal window reminds once and closes once.
        let fines = (0..<1_000).map { i in
            FineRow(id: UUID(), number: "KH-TEST-\(i)", unitID: outletID, outletID: outletID, ownerPath: outletPath,
                    ruleCode: "lost_parcel", quantity: 1, amountFen: 50_000, reason: "测试", complaintID: nil, parcelID: nil,
                    issuedByID: UUID(), issuedByName: "质控", issuerPath: "/", issuedAt: opened, deadline: opened + 72 * 3_600)
        }
        try await FineStore.insert(fines, on: app.db)
        try await ClockStore.insert(fines.map { row in
            StoredClock(id: UUID(), subject: ClockSubject(kind: "fine", id: row.id), complaintID: nil,
                        clock: .fixed(.deadline, madeAt: opened, due: opened + 72 * 3_600, warnFraction: 2.0 / 3.0),
                        warnActions: [.notify], breachActions: [.notify], policyID: nil, note: "appeal")
        }, on: app.db)
        let parcels = (0..<1_000).map { i in
            ProblemParcelRow(id: UUID(), waybill: "PP\(100_000 + i)", outletID: outletID, courierID: nil, ownerPath: outletPath,
                             reasonCode: "no_answer", note: nil, openedByID: nil, openedByName: "测试", openedAt: opened,
                             lapseAt: opened + 3 * 86_400)
        }
        try await ProblemParcelStore.insert(parcels, on: app.db)
        try await ClockStore.insert(parcels.map { row in
            StoredClock(id: UUID(), subject: ClockSubject(kind: "problem_parcel", id: row.id), complaintID: nil,
                        clock: .fixed(.deadline, madeAt: opened, due: row.lapseAt, warnFraction: 2.0 / 3.0),
                        warnActions: [.notify], breachActions: [.notify], policyID: nil, note: row.waybill)
        }, on: app.db)
        let clocks = try await count("clocks")
        XCTAssertEqual(clocks, 4_000)
        // All of them fall due: warnings an hour ago, deadlines a minute ago.
        let now = Date()
        try await app.db.sql.raw("""
            UPDATE clocks SET warn_at = \(bind: now - 3_600), due_at = \(bind: now - 60),
                next_fire_at = \(bind: now - 3_600)
            """).run()

        let a = try spawn(["scheduler"], output: dataDirectory + "/a.out")
        let b = try spawn(["scheduler"], output: dataDirectory + "/b.out")
        defer {
            if a.isRunning { kill(a.processIdentifier, SIGKILL) }
            if b.isRunning { b.terminate() }
        }
        try await waitUntil("the first clocks fire") { try await fired() >= 200 }
        kill(a.processIdentifier, SIGKILL)
        a.waitUntilExit()
        let atKill = try await fired()
        XCTAssertLessThan(atKill, 4_000, "instance A was killed partway")

        try await waitUntil("every clock fired") {
            let left = try await app.db.sql.raw("""
                SELECT COUNT(*) AS n FROM clocks WHERE next_fire_at IS NOT NULL
                """).first()
            return try left?.decode(column: "n", as: Int.self) == 0
        }
        b.terminate()
        b.waitUntilExit()
        // What the killed instance had claimed in the work queue is done by whoever runs it once its lease runs out
        // (a minute; here at once).
        try await app.db.sql.raw("UPDATE jobs SET run_at = \(bind: Date() - 1) WHERE state = 'running'").run()
        while try await deliverJobs().done > 0 {}

        // A restarted instance finds nothing left to fire.
        let c = try spawn(["scheduler", "--once"], output: dataDirectory + "/c.out")
        c.waitUntilExit()
        let restarted = (try? String(contentsOfFile: dataDirectory + "/c.out", encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: dataDirectory + "/c.out.err", encoding: .utf8)) ?? ""
        XCTAssertTrue(restarted.contains("tick: 0 warnings, 0 breaches"), "exit \(c.terminationStatus): \(restarted) \(errors)")

        let rows = try await app.db.sql.raw("""
            SELECT kind, COUNT(*) AS n FROM complaint_events WHERE kind IN ('clock_warning', 'clock_breached')
            GROUP BY kind
            """).all()
        var counts: [String: Int] = [:]
        for row in rows { counts[try row.decode(column: "kind", as: String.self)] = try row.decode(column: "n", as: Int.self) }
        XCTAssertEqual(counts["clock_warning"], 2_000)
        XCTAssertEqual(counts["clock_breached"], 2_000)
        let twice = try await app.db.sql.raw("""
            SELECT complaint_id, kind, "after", COUNT(*) AS n FROM complaint_events
            WHERE kind IN ('clock_warning', 'clock_breached') GROUP BY complaint_id, kind, "after" HAVING COUNT(*) > 1
            """).all()
        XCTAssertEqual(twice.count, 0, "no clock fired twice")
        let unfired = try await app.db.sql.raw("""
            SELECT COUNT(*) AS n FROM clocks WHERE warned_at IS NULL OR breached_at IS NULL
            """).first()
        XCTAssertEqual(try unfired?.decode(column: "n", as: Int.self), 0)
        let escalated = try await app.db.sql.raw("""
            SELECT COUNT(*) AS n FROM complaint_events WHERE kind = 'escalated'
            """).first()
        let escalations = try escalated?.decode(column: "n", as: Int.self) ?? 0
        XCTAssertGreaterThanOrEqual(escalations, 500)
        func tally(_ sql: SQLQueryString) async throws -> [String: Int] {
            var out: [String: Int] = [:]
            for row in try await app.db.sql.raw(sql).all() {
                out[try row.decode(column: "kind", as: String.self)] = try row.decode(column: "n", as: Int.self)
            }
            return out
        }
        let parcelJobs = try await tally("""
            SELECT state AS kind, COUNT(*) AS n FROM jobs WHERE kind = 'clock.problem_parcel' GROUP BY state
            """)
        XCTAssertEqual(parcelJobs, ["done": 2_000], "each parcel reminded once and lapsed once, every job done")
        let entries = try await tally("SELECT kind, COUNT(*) AS n FROM problem_parcel_entries GROUP BY kind")
        XCTAssertEqual(entries, ["warning": 1_000, "lapsed": 1_000])
        // The reminder reaches the outlet's one user; the lapse also HQ's three in customer service.
        let alerts = try await tally("""
            SELECT kind, COUNT(*) AS n FROM notifications WHERE kind LIKE 'problem_parcel%' GROUP BY kind
            """)
        XCTAssertEqual(alerts, ["problem_parcel_warning": 1_000, "problem_parcel_lapsed": 4_000])
        let lapsed = try await app.db.sql.raw("SELECT COUNT(*) AS n FROM problem_parcels WHERE lapsed_at IS NOT NULL").first()
        XCTAssertEqual(try lapsed?.decode(column: "n", as: Int.self), 1_000)
        let fineJobs = try await tally("SELECT state AS kind, COUNT(*) AS n FROM jobs WHERE kind = 'clock.fine' GROUP BY state")
        XCTAssertEqual(fineJobs, ["done": 2_000], "each appeal window reminded once and closed once, every job done")
        let closed = try await tally("SELECT kind, COUNT(*) AS n FROM fine_entries GROUP BY kind")
        XCTAssertEqual(closed, ["closed": 1_000])
        let final = try await tally("SELECT status AS kind, COUNT(*) AS n FROM fines GROUP BY status")
        XCTAssertEqual(final, ["final": 1_000])
        // A reminder whose window already closed (both fell due at once here) is not sent; none is sent twice.
        let reminders = try await tally("""
            SELECT kind, COUNT(*) AS n FROM notifications WHERE kind LIKE 'fine%' GROUP BY kind
            """)
        XCTAssertEqual(Set(reminders.keys), ["fine_window_closing"])
        XCTAssertLessThanOrEqual(reminders["fine_window_closing"] ?? 0, 1_000)
        let repeated = try await app.db.sql.raw("""
            SELECT params FROM notifications WHERE kind = 'fine_window_closing' GROUP BY params HAVING COUNT(*) > 1
            """).all()
        XCTAssertEqual(repeated.count, 0, "no fine reminded twice")
        print("scheduler processes: \(atKill) of 4000 fired when A was killed; "
              + "warnings \(counts["clock_warning"] ?? 0), breaches \(counts["clock_breached"] ?? 0), "
              + "escalations \(escalations)")
    }
}
