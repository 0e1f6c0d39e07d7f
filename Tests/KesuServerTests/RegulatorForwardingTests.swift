import Fluent
import Foundation
import KesuCore
@testable import KesuServer
import KesuStore
import XCTest

/// 申诉转办: an appeal the regulator forwards keeps its 12305 case number and runs its clock to the deadline the
/// regulator gave; the reply to the regulator is a message of its own in the outbox, sent and tracked.
final class RegulatorForwardingTests: KesuTestCase, @unchecked Sendable {
    override func setUp() async throws {
        environment = ["KESU_REGULATOR_EMAIL": "shensu@spb.example.gov.cn"]
        try await super.setUp()
    }

    func testTheCaseNumberAndDeadlineAreKeptAndTheReplyIsTracked() async throws {
        let iso = ISO8601DateFormatter()
        let forwarded = Date().addingTimeInterval(-86_400), due = forwarded.addingTimeInterval(5 * 86_400)
        let made = try await record(["channel": "regulator", "regulatorForwardedAt": iso.string(from: forwarded),
                                     "regulatorCaseNumber": "12305-2026-0042", "regulatorDueAt": iso.string(from: due)])
        XCTAssertEqual(made.status, .created, made.body)
        let number = try XCTUnwrap(made.json["number"] as? String)
        let detail = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        let clocks = detail.json["clocks"] as? [[String: Any]] ?? []
        let regulator = clocks.first { $0["kind"] as? String == "regulator" }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let dueAt = (regulator?["dueAt"] as? String).flatMap { fractional.date(from: $0) ?? iso.date(from: $0) }
        XCTAssertEqual(dueAt?.timeIntervalSince1970 ?? 0, due.timeIntervalSince1970, accuracy: 1, "the regulator's own deadline")
        let timeline = detail.json["timeline"] as? [[String: Any]] ?? []
        XCTAssertEqual((timeline.first { $0["kind"] as? String == "regulator_case" }?["after"] as? [String: String])?["caseNumber"],
                       "12305-2026-0042")

        let replied = try await call(.POST, "/api/v1/complaints/\(number)/notes", as: "agent",
                                     json: ["body": "已核实并补偿，客户认可。", "customerVisible": false, "toRegulator": true])
        XCTAssertEqual(replied.status, .created, replied.body)
        let messages = try await MessageStore.list(state: nil, limit: 10, on: app.db).filter { $0.notice == "regulator" }
        XCTAssertEqual(messages.count, 1)
        let message = try XCTUnwrap(messages.first)
        XCTAssertEqual(message.recipient, "shensu@spb.example.gov.cn")
        XCTAssertTrue(message.subject.contains("12305-2026-0042") && message.subject.contains(number), message.subject)
        XCTAssertTrue(message.body.contains("已核实并补偿，客户认可。"))
        let transport = RecordingTransport()
        let tally = try await MessageSender(services: app.kesu, db: app.db, logger: app.logger, transports: ["email": transport]).runDue()
        XCTAssertEqual(tally.sent, 1)
        let states = try await MessageStore.list(state: "sent", limit: 10, on: app.db).map(\.notice)
        XCTAssertEqual(states, ["regulator"])

        // Only a regulator's appeal carries these, and its deadline must follow the forwarding.
        let misplaced = try await record(["channel": "phone", "regulatorCaseNumber": "12305-1"])
        XCTAssertEqual(misplaced.status, .unprocessableEntity)
        let backwards = try await record(["channel": "regulator", "regulatorForwardedAt": iso.string(from: forwarded),
                                          "regulatorDueAt": iso.string(from: forwarded.addingTimeInterval(-60))])
        XCTAssertEqual(backwards.status, .unprocessableEntity)
    }
}
