import Foundation
import KesuCore
import KesuServer
import KesuStore
import SQLKit
import XCTest

/// A clock on a subject that is not a complaint fires once, like a complaint's, and hands its warning and breach to
/// the work queue for the subject's feature; complaints' timelines are untouched.
final class SubjectClockTests: KesuTestCase, @unchecked Sendable {
    /// An appeal window of three days, not tied to any complaint.
    static func appealClock(startedAt: Date, subject: UUID = UUID()) -> StoredClock {
        let clock = ComplaintClock(kind: .deadline, startedAt: startedAt, target: 3 * 86_400, businessTime: false,
                                   warnFraction: 0.8, pauseStatuses: [], calendar: BusinessCalendar(timeZone: .gmt, weekly: [:]))
        return StoredClock(id: UUID(), subject: ClockSubject(kind: "appeal", id: subject), complaintID: nil, clock: clock,
                           warnActions: [.notify], breachActions: [.notify], policyID: nil, note: "罚款申诉期")
    }

    func jobs(of kind: String) async throws -> [JobRow] {
        var rows: [JobRow] = []
        for state in ["queued", "running", "done", "dead"] {
            rows += try await JobStore.list(state: state, limit: 100, on: app.db).filter { $0.kind == kind }
        }
        return rows
    }

    let clock = FixedClock(Date())

    override func setUp() async throws {
        fixedClock = clock
        try await super.setUp()
    }

    func testAnAppealWindowWarnsThenBreachesOnceIntoTheWorkQueue() async throws {
        let appeal = UUID()
        let window = Self.appealClock(startedAt: app.kesu.now(), subject: appeal)
        try await ClockStore.insert([window], on: app.db)
        let scheduler = ClockScheduler(services: app.kesu, db: app.db, logger: app.logger)

        let idle = try await scheduler.tick()
        XCTAssertEqual(idle.warnings + idle.breaches, 0, "nothing due yet")
        clock.advance(by: 2.5 * 86_400)
        let warned = try await scheduler.tick()
        XCTAssertEqual(warned.warnings, 1)
        let early = try await jobs(of: "clock.appeal")
        XCTAssertEqual(early.count, 1)
        let payload = try JSONDecoder.jobs.decode(SubjectClockFired.self, from: Data(early[0].payload.utf8))
        XCTAssertEqual(payload.subjectID, appeal)
        XCTAssertEqual(payload.event, "warning")
        XCTAssertEqual(payload.note, "罚款申诉期")

        clock.advance(by: 86_400)
        let breached = try await scheduler.tick()
        XCTAssertEqual(breached.breaches, 1)
        let again = try await scheduler.tick()
        XCTAssertEqual(again.warnings + again.breaches, 0, "fired once")
        let all = try await jobs(of: "clock.appeal")
        XCTAssertEqual(all.map(\.idempotencyKey).sorted(), ["clock:\(window.id):breach", "clock:\(window.id):warning"])
        XCTAssertEqual(Set(all.compactMap { try? JSONDecoder.jobs.decode(SubjectClockFired.self, from: Data($0.payload.utf8)).event }),
                       ["warning", "breach"])
        let events = try await count("complaint_events")
        XCTAssertEqual(events, 0, "no complaint's timeline hears of it")
        let stored = try await app.db.sql.raw("""
            SELECT warned_at, breached_at, next_fire_at FROM clocks WHERE subject_kind = 'appeal'
            """).first()
        XCTAssertNotNil(try stored?.decode(column: "breached_at", as: Date?.self))
        XCTAssertNil(try stored?.decode(column: "next_fire_at", as: Date?.self))
    }
}
