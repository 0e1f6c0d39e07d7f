import Fluent
import Foundation
import KesuCore
@testable import KesuServer
import KesuStore
import SQLKit
import XCTest

/// SMS through the outbox to a fake gateway that speaks the gateway's protocol: a complaint taken by phone is
/// acknowledged by SMS with its number and link; refusals are temporary or final as the gateway's codes say; a
/// sender that dies after the gateway took a message asks before sending again, so nothing goes twice.
final class SMSChannelTests: KesuTestCase, @unchecked Sendable {
    var gateway: FakeSMSGateway!

    override func setUp() async throws {
        gateway = try await FakeSMSGateway(secret: "s3cret")
        environment = ["KESU_SMS_URL": gateway.url, "KESU_SMS_KEY_ID": "kesu-test", "KESU_SMS_SECRET": "s3cret",
                       "KESU_SMS_SIGN": "某某快递", "KESU_SMS_TEMPLATES": "received:SMS_1001"]
        try await super.setUp()
    }

    override func tearDown() async throws {
        try await gateway.stop()
        try await super.tearDown()
    }

    var sender: MessageSender { MessageSender(services: app.kesu, db: app.db, logger: app.logger) }

    func messages() async throws -> [OutboundRow] { try await MessageStore.list(state: nil, limit: 100, on: app.db) }

    func testAPhoneComplaintIsAcknowledgedBySMSWithItsNumberAndLink() async throws {
        let number = try await recordedNumber()
        let queued = try await messages()
        XCTAssertEqual(queued.map(\.channel), ["sms"])
        XCTAssertEqual(queued.first?.notice, "received")
        let tally = try await sender.runDue()
        XCTAssertEqual(tally.sent, 1)
        let sent = try XCTUnwrap(gateway.sent.withLockedValue { $0.first })
        XCTAssertEqual(sent.template, "SMS_1001")
        let params = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(sent.params.utf8)) as? [String: String])
        XCTAssertEqual(params["number"], number)
        XCTAssertTrue(params["link"]?.contains("/t/") == true)
        let got1 = try await messages().first
        let row = try XCTUnwrap(got1)
        XCTAssertEqual(row.state, "sent")
        XCTAssertEqual(row.providerRef, "biz-" + row.id.uuidString.prefix(8))
        XCTAssertTrue(row.body.contains(number), "the timeline's copy reads as the SMS does")
    }

    func testTheGatewaysCodesDecideBetweenRetryAndGivingUp() async throws {
        _ = try await recordedNumber()
        gateway.failWith.withLockedValue { $0 = "isv.BUSINESS_LIMIT_CONTROL" }
        let got2 = try await sender.runDue().retried
        XCTAssertEqual(got2, 1, "a rate limit is tried again later")
        let got3 = try await messages().first
        var row = try XCTUnwrap(got3)
        XCTAssertEqual(row.state, "failed")
        try await (app.db as! any SQLDatabase).raw("UPDATE outbound_messages SET run_at = \(bind: Date().addingTimeInterval(-1))").run()
        gateway.failWith.withLockedValue { $0 = "isv.MOBILE_NUMBER_ILLEGAL" }
        let got4 = try await sender.runDue().dead
        XCTAssertEqual(got4, 1, "a refused number is not")
        let got5 = try await messages().first
        row = try XCTUnwrap(got5)
        XCTAssertEqual(row.state, "dead")
        XCTAssertTrue(row.lastError?.contains("isv.MOBILE_NUMBER_ILLEGAL") == true)
        XCTAssertEqual(gateway.sent.withLockedValue { $0.count }, 0)
    }

    func testAWrongSecretIsRefusedByTheGateway() async throws {
        var settings = try XCTUnwrap(app.kesu.config.sms)
        settings.secret = "wrong"
        _ = try await recordedNumber()
        let tally = try await MessageSender(services: app.kesu, db: app.db, logger: app.logger,
                                            transports: ["sms": SMSTransport(settings: settings)]).runDue()
        XCTAssertEqual(tally.dead, 1)
        let got6 = try await messages().first?.lastError?.contains("SignatureDoesNotMatch") == true
        XCTAssertTrue(got6)
    }

    /// The first sender claimed a batch and the gateway took some of it; the process died before writing that
    /// down. Once its lease is over the next sender asks the gateway (QuerySendDetails) before each resend.
    func testASenderThatDiedMidBatchSendsNothingTwice() async throws {
        for n in 0..<6 { _ = try await record(["customer": ["name": "客户\(n)", "phone": "1390000000\(n)"]]) }
        let now = app.kesu.now()
        let claimed = try await MessageStore.claim(at: now, leaseEnd: now.addingTimeInterval(-0.001), worker: "died",
                                                   limit: 10, on: app.db)
        XCTAssertEqual(claimed.count, 6)
        let transport = SMSTransport(settings: try XCTUnwrap(app.kesu.config.sms))
        for message in claimed.prefix(3) { _ = try await transport.send(message, config: app.kesu.config, now: now) }
        let tally = try await sender.runDue()
        XCTAssertEqual(tally.sent, 6)
        for message in claimed { XCTAssertEqual(gateway.count(outID: message.id.uuidString), 1) }
        let got7 = try await MessageStore.counts(on: app.db)
        XCTAssertEqual(got7, ["sent": 6])
    }

    /// The gateway's receipts: a minute after sending the sender asks QuerySendDetails; one that arrived is delivered,
    /// one the carrier could not deliver (a phone switched off) is marked so and may be sent again from the outbox.
    func testDeliveryReportsSayWhetherTheSMSArrived() async throws {
        let first = try await recordedNumber(["customer": ["name": "甲", "phone": "13900000011"]])
        _ = try await recordedNumber(["customer": ["name": "乙", "phone": "13900000012"]])
        let sent = try await sender.runDue()
        XCTAssertEqual(sent.sent, 2)
        XCTAssertEqual(sent.delivered, 0, "not asked at once: the carrier's receipt takes a while")
        let rows = try await messages()
        let off = try XCTUnwrap(rows.first { $0.recipient == "13900000012" })
        gateway.reports.withLockedValue { $0[off.id.uuidString] = (2, "MK:0001") }
        try await (app.db as! any SQLDatabase).raw("UPDATE outbound_messages SET report_at = \(bind: Date().addingTimeInterval(-1))").run()
        let reported = try await sender.runDue()
        XCTAssertEqual(reported.delivered, 1)
        XCTAssertEqual(reported.undelivered, 1)
        let counts = try await MessageStore.counts(on: app.db)
        XCTAssertEqual(counts, ["delivered": 1, "undelivered": 1])
        let again = try await sender.runDue()
        XCTAssertEqual(again, MessageSender.Tally(), "a report is taken once")
        let got = try await messages().first { $0.id == off.id }
        XCTAssertEqual(got?.lastError, "SMS gateway: MK:0001")
        let detail = try await call(.GET, "/api/v1/complaints/\(first)", as: "agent")
        XCTAssertEqual(detail.status, .ok)
        let timeline = try await ComplaintStore.timeline(of: XCTUnwrap(rows.first { $0.recipient == "13900000011" }?.complaintID),
                                                         on: app.db)
        XCTAssertTrue(timeline.contains { $0.kind == "message_delivered" })

        // The admin finds the undelivered one on the outbox page and sends it again.
        let cookie = try await session("admin")
        let page = try await call(.GET, "/admin/outbox?state=undelivered", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.contains("MK:0001"))
        XCTAssertTrue(page.body.contains("/admin/outbox/\(off.id)/retry"))
        let retried = try await call(.POST, "/admin/outbox/\(off.id)/retry", raw: "_csrf=\(try formToken(in: page.body))",
                                     headers: [("Cookie", "kesu_session=\(cookie)"),
                                               ("Content-Type", "application/x-www-form-urlencoded")])
        XCTAssertEqual(retried.status, .seeOther)
        let resent = try await sender.runDue()
        XCTAssertEqual(resent.sent, 1)
        XCTAssertEqual(gateway.count(outID: off.id.uuidString), 2)
    }
}
