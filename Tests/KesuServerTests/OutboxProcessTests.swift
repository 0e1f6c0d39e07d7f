import Foundation
import KesuCore
import KesuServer
import KesuStore
import SQLKit
import XCTest

/// A `kesu outbox` process killed with SIGKILL in the middle of a batch of SMS, against a fake gateway that takes its
/// time: the next sender, once the dead one's lease has run out, asks the gateway what went and sends the rest — every
/// message reaches the gateway exactly once, and all of them do.
final class OutboxProcessTests: KesuTestCase, @unchecked Sendable {
    var gateway: FakeSMSGateway!
    var sms: [String: String] = [:]

    override func setUp() async throws {
        gateway = try await FakeSMSGateway(secret: "s3cret")
        sms = ["KESU_SMS_URL": gateway.url, "KESU_SMS_KEY_ID": "kesu-test", "KESU_SMS_SECRET": "s3cret",
               "KESU_SMS_SIGN": "某某快递", "KESU_SMS_TEMPLATES": "received:SMS_1001"]
        environment = sms
        try await super.setUp()
    }

    override func tearDown() async throws {
        try await gateway.stop()
        try await super.tearDown()
    }

    func spawn(_ arguments: [String], output: String) throws -> Process {
        try KesuProcess.start(arguments, environment: sms.merging([
            "KESU_DATA_DIR": dataDirectory, "KESU_OUTBOX_POLL_MS": "100", "LOG_LEVEL": "error",
        ]) { $1 }, output: output).process
    }

    func testASenderKilledMidBatchLeavesEveryMessageSentOnce() async throws {
        _ = try KesuProcess.executable()
        let count = 40
        for n in 0..<count {
            let reply = try await record(["customer": ["name": "客户\(n)", "phone": String(13_900_000_000 + n)]])
            XCTAssertEqual(reply.status, .created, reply.body)
        }
        let queued = try await MessageStore.counts(on: app.db)
        XCTAssertEqual(queued, ["queued": count])
        gateway.delay.withLockedValue { $0 = .milliseconds(120) }

        let a = try spawn(["outbox"], output: dataDirectory + "/a.out")
        defer { if a.isRunning { kill(a.processIdentifier, SIGKILL) } }
        let deadline = Date() + 120
        while gateway.sent.withLockedValue({ $0.count }) < 5 {
            guard Date() < deadline, a.isRunning else {
                XCTFail("the sender sent nothing: \((try? String(contentsOfFile: dataDirectory + "/a.out.err", encoding: .utf8)) ?? "")")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        kill(a.processIdentifier, SIGKILL)
        a.waitUntilExit()
        let atKill = gateway.sent.withLockedValue { $0.count }
        XCTAssertLessThan(atKill, count, "killed partway")
        let sending = try await MessageStore.counts(on: app.db)["sending"] ?? 0
        XCTAssertGreaterThan(sending, 0, "the dead sender held a claimed batch")

        // Its lease (two minutes) runs out; here at once.
        try await app.db.sql.raw("UPDATE outbound_messages SET run_at = \(bind: Date() - 1) WHERE state = 'sending'").run()
        gateway.delay.withLockedValue { $0 = .zero }
        let b = try spawn(["outbox", "--once"], output: dataDirectory + "/b.out")
        b.waitUntilExit()
        let printed = (try? String(contentsOfFile: dataDirectory + "/b.out", encoding: .utf8)) ?? ""
        XCTAssertEqual(b.terminationStatus, 0, printed)

        let counts = try await MessageStore.counts(on: app.db)
        XCTAssertEqual(counts, ["sent": count], printed)
        let rows = try await MessageStore.list(state: nil, limit: 100, on: app.db)
        let twice = rows.filter { gateway.count(outID: $0.id.uuidString) != 1 }
        XCTAssertEqual(twice.map(\.recipient), [], "each message reaches the gateway exactly once")
        print("outbox process: \(atKill) of \(count) SMS at the gateway when the sender was killed, \(sending) left claimed")
    }
}
