import Fluent
import Foundation
import KesuCore
import KesuServer
import KesuStore
import NIOConcurrencyHelpers
import SQLKit
import Vapor
import XCTVapor
import XCTest

/// The work queue: jobs leave once their transaction commits, each runs once however many workers claim, temporary
/// failures come back after a back-off, the rest stop as dead letters an admin can send again.
final class JobQueueTests: KesuTestCase, @unchecked Sendable {
    let clock = FixedClock(Date())

    override func setUp() async throws {
        fixedClock = clock
        try await super.setUp()
    }

    /// Records which jobs it performed; fails the way the payload says.
    final class Probe: JobHandler, @unchecked Sendable {
        let performed = NIOLockedValueBox<[UUID]>([])
        func perform(_ job: JobRow, services: KesuServices, on tx: any Database) async throws {
            switch job.payload {
            case "temporary-until-3" where job.attempts < 3: throw JobFailure.temporary("gateway timed out")
            case "permanent": throw JobFailure.permanent("no such phone number")
            case "always-temporary": throw JobFailure.temporary("gateway timed out")
            default: performed.withLockedValue { $0.append(job.id) }
            }
        }
    }

    func enqueue(_ payloads: [String], kind: String = "probe") async throws -> [UUID] {
        let jobs = payloads.enumerated().map { i, payload in
            JobRow(id: UUID(), kind: kind, idempotencyKey: "\(kind)-\(i)-\(payload)", payload: payload, runAt: app.kesu.now(),
                   createdAt: app.kesu.now())
        }
        try await JobStore.enqueue(jobs, on: app.db)
        return jobs.map(\.id)
    }

    func runner(_ probe: Probe, lease: TimeInterval = 60) -> JobRunner {
        JobRunner(services: app.kesu, db: app.db, logger: app.logger, handlers: ["probe": probe], lease: lease)
    }

    func state(_ id: UUID) async throws -> (state: String, attempts: Int, runAt: Date) {
        let row = try await app.db.sql.raw("SELECT state, attempts, run_at FROM jobs WHERE id = \(bind: id)").first()
        let found = try XCTUnwrap(row)
        return (try found.decode(column: "state", as: String.self), try found.decode(column: "attempts", as: Int.self),
                try found.decode(column: "run_at", as: Date.self))
    }

    func rawCount(_ table: String) async throws -> Int {
        try await app.db.sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()?.decode(column: "n", as: Int.self) ?? -1
    }

    func testNotificationsLeaveThroughTheQueueOnceTheirTransactionCommits() async throws {
        let number = try await recordedNumber()
        for status in ["triaged", "proposing"] {
            _ = try await call(.POST, "/api/v1/complaints/\(number)/transitions", as: "agent", json: ["to": status])
        }
        let before = try await rawCount("notifications")
        var headers = HTTPHeaders()
        headers.bearerAuthorization = .init(token: try await token(for: "agent"))
        headers.contentType = .json
        // Sent without the test's own delivery, so the queue is seen before it runs.
        let body = ByteBuffer(string: #"{"kind":"compensation","amountFen":30000,"description":"按规则赔偿"}"#)
        let response = try await app.testable().performTest(request: .init(
            method: .POST, url: .init(string: "/api/v1/complaints/\(number)/proposals"), headers: headers, body: body))
        XCTAssertEqual(response.status, .created, response.body.string)
        let queued = try await JobStore.list(state: "queued", limit: 10, on: app.db)
        XCTAssertEqual(queued.map(\.kind), ["notify"], "the approval request waits in the queue")
        let notYet = try await rawCount("notifications")
        XCTAssertEqual(notYet, before)

        let ran = try await deliverJobs()
        XCTAssertEqual(ran.done, 1)
        let delivered = try await rawCount("notifications")
        XCTAssertGreaterThan(delivered, before)
        let inbox = try await call(.GET, "/api/v1/notifications", as: "supervisor")
        XCTAssertTrue((inbox.json["items"] as? [[String: Any]] ?? []).contains { $0["kind"] as? String == "approval_needed" })
        let again = try await deliverJobs()
        XCTAssertEqual(again, JobRunner.Tally(), "nothing runs twice")
        let job = try await state(queued[0].id)
        XCTAssertEqual(job.state, "done")

        // A rejected request queues nothing.
        let refused = try await call(.POST, "/api/v1/complaints/\(number)/proposals", as: "outlet-th",
                                     json: ["kind": "compensation", "amountFen": 30_000, "description": "网点无权提出"])
        XCTAssertEqual(refused.status, .forbidden)
        let jobs = try await rawCount("jobs")
        XCTAssertEqual(jobs, 1)
    }

    func testTheSameIdempotencyKeyIsQueuedOnce() async throws {
        let job = JobRow(id: UUID(), kind: "probe", idempotencyKey: "sms:KS1:offer", payload: "", runAt: app.kesu.now(),
                         createdAt: app.kesu.now())
        try await JobStore.enqueue([job], on: app.db)
        var twin = job
        twin.id = UUID()
        try await JobStore.enqueue([twin], on: app.db)
        let count = try await rawCount("jobs")
        XCTAssertEqual(count, 1)
    }

    func testTemporaryFailuresBackOffAndTheRestAreDeadLettersAnAdminCanSendAgain() async throws {
        let ids = try await enqueue(["temporary-until-3", "permanent", "always-temporary", "fine"])
        _ = try await enqueue(["whatever"], kind: "nobody-handles-this")
        let probe = Probe()
        let first = try await runner(probe).runDue()
        XCTAssertEqual(first.done, 1)
        XCTAssertEqual(first.retried, 2)
        XCTAssertEqual(first.dead, 2, "the permanent failure and the kind no one handles")
        let flaky = try await state(ids[0])
        XCTAssertEqual(flaky.state, "queued")
        XCTAssertEqual(flaky.runAt.timeIntervalSince(app.kesu.now()), 30, accuracy: 0.01, "first retry after 30 s")
        let early = try await runner(probe).runDue()
        XCTAssertEqual(early, JobRunner.Tally(), "not before its time")

        clock.advance(by: 30)
        _ = try await runner(probe).runDue()
        let second = try await state(ids[0])
        XCTAssertEqual(second.runAt.timeIntervalSince(app.kesu.now()), 60, accuracy: 0.01, "then twice as long")
        clock.advance(by: 60)
        _ = try await runner(probe).runDue()
        let done = try await state(ids[0])
        XCTAssertEqual(done.state, "done")
        XCTAssertEqual(done.attempts, 3)

        // The one that never succeeds stops after the last attempt.
        for _ in 0..<JobRetry.maxAttempts {
            clock.advance(by: JobRetry.longestWait)
            _ = try await runner(probe).runDue()
        }
        let gaveUp = try await state(ids[2])
        XCTAssertEqual(gaveUp.state, "dead")
        XCTAssertEqual(gaveUp.attempts, JobRetry.maxAttempts)
        XCTAssertEqual(probe.performed.withLockedValue { $0 }, [ids[3], ids[0]])

        // Admins see the dead letters and send one again.
        let cookie = try await session("admin")
        let page = try await call(.GET, "/admin/jobs", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.contains("no such phone number"), page.body)
        XCTAssertTrue(page.body.contains("no handler for jobs of kind nobody-handles-this"))
        XCTAssertTrue(page.body.contains("失败 3"), "the counts")
        let csrf = try formToken(in: page.body)
        let sent = try await call(.POST, "/admin/jobs/\(ids[1])/retry", raw: "_csrf=\(csrf)",
                                  headers: [("Cookie", "kesu_session=\(cookie)"),
                                            ("Content-Type", "application/x-www-form-urlencoded")])
        XCTAssertEqual(sent.status, .seeOther)
        let revived = try await state(ids[1])
        XCTAssertEqual(revived.state, "queued")
        XCTAssertEqual(revived.attempts, 0)
        let agentCookie = try await session("agent")
        let denied = try await call(.GET, "/admin/jobs", headers: [("Cookie", "kesu_session=\(agentCookie)")])
        XCTAssertEqual(denied.status, .forbidden)
    }

    func testAJobWhoseWorkerDiedIsTakenAgainWhenItsLeaseEnds() async throws {
        let ids = try await enqueue(["fine"])
        let now = app.kesu.now()
        let claimed = try await app.kesu.writer.write(on: app.db) {
            try await JobStore.claim(at: now, leaseEnd: now.addingTimeInterval(60), worker: "dead-worker", limit: 10, on: $0)
        }
        XCTAssertEqual(claimed.map(\.id), ids)
        let probe = Probe()
        let during = try await runner(probe).runDue()
        XCTAssertEqual(during, JobRunner.Tally(), "held while the lease lasts")
        clock.advance(by: 61)
        let after = try await runner(probe).runDue()
        XCTAssertEqual(after.done, 1)
        let late = try await JobStore.complete(ids[0], worker: "dead-worker", at: app.kesu.now(), on: app.db)
        XCTAssertFalse(late, "the first worker lost its claim")
        XCTAssertEqual(probe.performed.withLockedValue { $0 }, ids)
    }

    func testTwoWorkersTogetherRunEachJobOnce() async throws {
        let ids = try await enqueue((0..<300).map { "fine-\($0)" })
        let probe = Probe()
        let a = runner(probe), b = runner(probe)
        async let first = a.runDue(batch: 20)
        async let second = b.runDue(batch: 20)
        let (one, two) = try await (first, second)
        XCTAssertEqual(one.done + two.done, 300)
        let performed = probe.performed.withLockedValue { $0 }
        XCTAssertEqual(performed.count, 300)
        XCTAssertEqual(Set(performed), Set(ids))
        let done = try await JobStore.counts(on: app.db)
        XCTAssertEqual(done, ["done": 300])
    }
}
