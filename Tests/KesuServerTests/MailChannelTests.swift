import Fluent
import Foundation
import KesuCore
@testable import KesuServer
import KesuStore
import NIOConcurrencyHelpers
import SQLKit
import XCTest

/// A transport that keeps what it was given, fails when told to, and (like an SMS gateway) answers whether a message
/// went — the fake for a service we cannot reach.
final class RecordingTransport: MessageTransport, @unchecked Sendable {
    let sent = NIOLockedValueBox<[OutboundRow]>([])
    let failure = NIOLockedValueBox<JobFailure?>(nil)
    let answersStatus: Bool

    init(answersStatus: Bool = false) { self.answersStatus = answersStatus }

    func send(_ message: OutboundRow, config: AppConfig, now: Date) async throws -> String? {
        if let failure = failure.withLockedValue({ $0 }) { throw failure }
        sent.withLockedValue { $0.append(message) }
        return "ref-" + message.id.uuidString
    }

    func wasSent(_ message: OutboundRow, config: AppConfig) async throws -> String?? {
        guard answersStatus else { return nil }
        return .some(sent.withLockedValue { list in list.first { $0.idempotencyKey == message.idempotencyKey } }
            .map { "ref-" + $0.id.uuidString })
    }

    func count(_ key: String) -> Int { sent.withLockedValue { $0.filter { $0.idempotencyKey == key }.count } }
}

/// E-mail in and out through `MailIntake` and the outbox: a message becomes a complaint with its file, the agent's
/// reply goes back threaded, the customer's answer joins the same complaint; duplicates, loops, strangers and
/// mail without a phone number are handled as an MTA expects.
final class MailChannelTests: KesuTestCase, @unchecked Sendable {
    static let pngBytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 64)

    func mail(from: String = "张三 <zhang@qq.com>", id: String, subject: String, body: String, headers: [String] = [],
              attachment: Bool = false) -> [UInt8] {
        var text = (["From: " + from, "To: kefu@kesu.invalid", "Subject: " + EncodedWords.encode(subject),
                     "Message-ID: <\(id)>", "MIME-Version: 1.0"] + headers).joined(separator: "\r\n")
        let encoded = Data(body.utf8).base64EncodedString()
        if attachment {
            text += "\r\nContent-Type: multipart/mixed; boundary=XYZ\r\n\r\n--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n\(encoded)\r\n--XYZ\r\nContent-Type: image/png\r\n"
                + "Content-Disposition: attachment; filename=\"box.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + Data(Self.pngBytes).base64EncodedString() + "\r\n--XYZ--\r\n"
        } else {
            text += "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n\(encoded)\r\n"
        }
        return Array(text.utf8)
    }

    var intake: MailIntake { MailIntake(services: app.kesu, db: app.db) }

    /// 10:00 in Beijing on a Tuesday, outside quiet hours; the tests move it.
    let clock = FixedClock(Date(timeIntervalSince1970: 1_796_090_400))

    override func setUp() async throws {
        fixedClock = clock
        environment = ["KESU_MAIL_RATE_PER_HOUR": "5"]
        try await super.setUp()
    }

    func outbound(_ number: String) async throws -> [OutboundRow] {
        let complaint = try await ComplaintModel.query(on: app.db).filter(\.$number == number).first()
        return try await MessageStore.list(complaintID: try XCTUnwrap(complaint).requireID(), on: app.db)
    }

    func testAnEmailBecomesAComplaintTheReplyIsThreadedAndTheAnswerJoinsIt() async throws {
        let first = mail(id: "m1@qq.com", subject: "快递三天没到", body: "运单 YT1234567890123 一直没送，电话 13912345678。",
                         attachment: true)
        guard case .created(let number) = try await intake.take(first) else { return XCTFail("not created") }
        let got1 = try await intake.take(first)
        XCTAssertEqual(got1, .duplicate, "the MTA delivering it again stores nothing")
        let detail = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        XCTAssertEqual(detail.json["channel"] as? String, "email")
        XCTAssertEqual((detail.json["waybillNumbers"] as? [String]) ?? [], ["YT1234567890123"])
        let files = try await AttachmentModel.query(on: app.db).all()
        XCTAssertEqual(files.map(\.fileName), ["box.png"])
        XCTAssertEqual(files.first?.contentType, "image/png")
        XCTAssertEqual(files.first?.byCustomer, true)

        // The acknowledgement with the private link, answering the customer's message.
        var messages = try await outbound(number)
        XCTAssertEqual(messages.map(\.notice), ["received"])
        XCTAssertEqual(messages.first?.inReplyTo, "m1@qq.com")
        XCTAssertEqual(messages.first?.recipient, "zhang@qq.com")
        XCTAssertTrue(messages.first?.body.contains("/t/") == true)
        XCTAssertTrue(messages.first?.subject.hasPrefix("[\(number)]") == true)

        // The agent's reply goes back by e-mail.
        try await call(.POST, "/api/v1/complaints/\(number)/notes", as: "agent",
                       json: ["body": "已联系网点，明天上午派送。", "customerVisible": true])
        try await call(.POST, "/api/v1/complaints/\(number)/notes", as: "agent",
                       json: ["body": "内部：网点说地址不全", "customerVisible": false])
        messages = try await outbound(number)
        XCTAssertEqual(messages.map(\.notice), ["received", "reply"], "an internal note is not sent")
        let reply = messages[1]
        XCTAssertTrue(reply.body.hasPrefix("已联系网点，明天上午派送。"))
        XCTAssertEqual(reply.references, ["m1@qq.com"])

        let transport = RecordingTransport()
        let sender = MessageSender(services: app.kesu, db: app.db, logger: app.logger, transports: ["email": transport])
        let got2 = try await sender.runDue().sent
        XCTAssertEqual(got2, 2)
        let got3 = try await sender.runDue().sent
        XCTAssertEqual(got3, 0)
        XCTAssertEqual(transport.sent.withLockedValue { $0.map(\.notice) }.sorted(), ["received", "reply"])
        let timeline = try await ComplaintEventModel.query(on: app.db).all().map(\.kind)
        XCTAssertEqual(timeline.filter { $0 == "message_sent" }.count, 2)

        // The customer answers the reply: it joins the complaint, the quoted reply cut off.
        let answer = mail(id: "m2@qq.com", subject: "Re: [\(number)] 回复", body: "好的，谢谢。\n\n在 2026年12月2日，客服 写道：\n> 已联系网点",
                          headers: ["In-Reply-To: <\(reply.messageID)>", "References: <m1@qq.com> <\(reply.messageID)>"])
        let got4 = try await intake.take(answer)
        XCTAssertEqual(got4, .joined(number))
        let said = try await ComplaintEventModel.query(on: app.db).filter(\.$kind == "customer_message").all()
        XCTAssertEqual(said.map(\.note), ["好的，谢谢。"])
        let got5 = try await ComplaintModel.query(on: app.db).count()
        XCTAssertEqual(got5, 1)

        // A stranger quoting the number opens a complaint of their own, and only with a phone number.
        let stranger = mail(from: "x@163.com", id: "s1@163.com", subject: "[\(number)] 我也要投诉", body: "没写电话")
        guard case .refused(let why) = try await intake.take(stranger) else { return XCTFail("not refused") }
        XCTAssertTrue(why.contains("手机号码") && why.contains("mobile number"))
        let withPhone = mail(from: "x@163.com", id: "s2@163.com", subject: "[\(number)] 我也要投诉", body: "电话 13700001111")
        guard case .created(let other) = try await intake.take(withPhone) else { return XCTFail("not created") }
        XCTAssertNotEqual(other, number)

        // The customer's own subject tag, with no thread headers, still joins.
        let tagged = mail(id: "m3@qq.com", subject: "[\(number)] 补充", body: "地址是 1 号楼")
        let got6 = try await intake.take(tagged)
        XCTAssertEqual(got6, .joined(number))
    }

    func testAutomaticMailAndLoopsAreDroppedAndRecorded() async throws {
        for (n, header) in ["Auto-Submitted: auto-replied", "Precedence: bulk", "X-Loop: kefu@kesu.invalid"].enumerated() {
            let message = mail(id: "auto\(n)@qq.com", subject: "自动回复", body: "我不在 13912345678", headers: [header])
            guard case .ignored = try await intake.take(message) else { return XCTFail("\(header) was not dropped") }
        }
        let own = mail(from: "kefu@kesu.invalid", id: "own@kesu.invalid", subject: "x", body: "13912345678")
        let got7 = try await intake.take(own)
        XCTAssertEqual(got7, .ignored("loop"))
        let got8 = try await ComplaintModel.query(on: app.db).count()
        XCTAssertEqual(got8, 0)
        let kept = try await (app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM inbound_messages WHERE outcome = 'ignored'")
            .first()?.decode(column: "n", as: Int.self)
        XCTAssertEqual(kept, 4)
        let got9 = try await intake.take(Array("not a message at all".utf8))
        XCTAssertEqual(got9, .refused("the message has no sender address (From)"))
    }

    /// A sender past the hourly rate (here 5) is a loop or a flood: the rest are recorded and dropped, and an hour
    /// later they are taken again.
    func testASenderPastTheHourlyRateIsDropped() async throws {
        var outcomes: [MailIntake.Outcome] = []
        for n in 0..<7 {
            outcomes.append(try await intake.take(mail(from: "flood@qq.com", id: "flood\(n)@qq.com", subject: "第\(n)封",
                                                       body: "电话 13912345678")))
        }
        XCTAssertEqual(outcomes.filter { if case .ignored("rate") = $0 { true } else { false } }.count, 2)
        clock.advance(by: 3_601)
        let later = try await intake.take(mail(from: "flood@qq.com", id: "flood-later@qq.com", subject: "再来", body: "13912345678"))
        XCTAssertNotEqual(later, .ignored("rate"))
    }

    func testFailuresRetryThenGiveUpAndAnAdminSendsAgain() async throws {
        guard case .created(let number) = try await intake.take(mail(id: "f1@qq.com", subject: "破损", body: "13912345678"))
        else { return XCTFail("not created") }
        let transport = RecordingTransport()
        let sender = MessageSender(services: app.kesu, db: app.db, logger: app.logger, transports: ["email": transport])
        transport.failure.withLockedValue { $0 = .temporary("421 try later") }
        let got10 = try await sender.runDue().retried
        XCTAssertEqual(got10, 1)
        var rows = try await outbound(number)
        var row = try XCTUnwrap(rows.first)
        XCTAssertEqual(row.state, "failed")
        XCTAssertEqual(row.lastError, "421 try later")
        XCTAssertGreaterThan(row.runAt, app.kesu.now(), "retried later, not at once")
        try await (app.db as! any SQLDatabase).raw("UPDATE outbound_messages SET run_at = \(bind: app.kesu.now().addingTimeInterval(-1))").run()
        transport.failure.withLockedValue { $0 = .permanent("550 no such user") }
        let got11 = try await sender.runDue().dead
        XCTAssertEqual(got11, 1)
        rows = try await outbound(number)
        row = try XCTUnwrap(rows.first)
        XCTAssertEqual(row.state, "dead")

        // The admin sees it on the outbox page and sends it again.
        let cookie = try await session("admin")
        let page = try await call(.GET, "/admin/outbox?state=dead", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.contains("550 no such user"))
        XCTAssertTrue(page.body.contains(number))
        let retried = try await call(.POST, "/admin/outbox/\(row.id)/retry", raw: "_csrf=\(try formToken(in: page.body))",
                                     headers: [("Cookie", "kesu_session=\(cookie)"),
                                               ("Content-Type", "application/x-www-form-urlencoded")])
        XCTAssertEqual(retried.status, .seeOther)
        transport.failure.withLockedValue { $0 = nil }
        let got12 = try await sender.runDue().sent
        XCTAssertEqual(got12, 1)
        let got13 = try await outbound(number).first?.state
        XCTAssertEqual(got13, "sent")
        let denied = try await call(.GET, "/admin/outbox", headers: [("Cookie", "kesu_session=\(try await session("agent"))")])
        XCTAssertEqual(denied.status, .forbidden)
    }

    /// The investigation notice goes at once; the proposal the same day waits for the one-a-day rule; a customer who
    /// turned notices off on their page gets no closing notice.
    func testNoticesFollowTheComplaintWithinTheDailyCapAndTheCustomersChoice() async throws {
        guard case .created(let number) = try await intake.take(mail(id: "n1@qq.com", subject: "少件", body: "13912345678"))
        else { return XCTFail("not created") }
        for status in ["triaged", "investigating", "proposing"] {
            let moved = try await call(.POST, "/api/v1/complaints/\(number)/transitions", as: "agent", json: ["to": status])
            XCTAssertEqual(moved.status, .ok, moved.body)
        }
        let made = try await call(.POST, "/api/v1/complaints/\(number)/proposals", as: "agent",
                                  json: ["kind": "coupon", "amountFen": 1_000, "description": "补发并致歉"])
        let id = try XCTUnwrap(made.json["id"] as? String)
        let offered = try await call(.POST, "/api/v1/complaints/\(number)/proposals/\(id)/offer", as: "agent")
        XCTAssertEqual(offered.status, .ok, offered.body)
        let messages = try await outbound(number)
        XCTAssertEqual(messages.map(\.notice), ["received", "investigating", "proposal"])
        XCTAssertEqual(messages.map(\.state), ["queued", "queued", "held"])
        XCTAssertEqual(messages[2].heldReason, "daily cap")
        XCTAssertEqual(messages[2].runAt.timeIntervalSince(messages[1].runAt), 86_400, accuracy: 1)
        XCTAssertTrue(messages[2].body.contains("/t/"), "the proposal notice links to where the customer answers")
        let held = try await ComplaintEventModel.query(on: app.db).filter(\.$kind == "message_held").count()
        XCTAssertEqual(held, 1)

        // The customer turns the non-essential notices off on their page.
        let link = try XCTUnwrap(messages[0].body.range(of: #"/t/[A-Za-z0-9_-]+"#, options: .regularExpression))
        let path = String(messages[0].body[link])
        let off = try await call(.POST, path + "/notices", raw: "off=1", headers: [("Content-Type", "application/x-www-form-urlencoded")])
        XCTAssertEqual(off.status, .seeOther)
        let page = try await call(.GET, path)
        XCTAssertTrue(page.body.contains("您已关闭非必要通知"))
        let found = try await ComplaintStore.find(number: number, on: app.db)
        let complaint = try XCTUnwrap(found)
        let known = try await CustomerModel.find(complaint.$customer.id, on: app.db)
        let customer = try XCTUnwrap(known)
        XCTAssertEqual(customer.noticesOff, true)
        let services = app.kesu
        let skipped = try await services.writer.write(on: app.db) { tx in
            try await CustomerNotices.queue(.closed, values: [:], key: "closing", complaint: complaint, customer: customer,
                                            services: services, on: tx)
        }
        XCTAssertEqual(skipped.map(\.kind), ["message_skipped"])
        let after = try await outbound(number)
        XCTAssertEqual(after.count, 3, "nothing queued for a customer who said no")
    }

    /// An admin rewrites the acknowledgement's words: the next complaint's notice reads them; a placeholder the notice
    /// does not fill is refused with the form kept; going back to the default restores the catalog's words.
    func testAnAdminChangesTheWordsOfANotice() async throws {
        let cookie = try await session("admin")
        let page = try await call(.GET, "/admin/notices", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertEqual(page.status, .ok)
        XCTAssertTrue(page.body.contains("{link} {number}"), "each form says what its notice fills")
        let csrf = try formToken(in: page.body)
        func post(_ form: String) async throws -> Reply {
            try await call(.POST, "/admin/notices/received/email", raw: "_csrf=\(csrf)&" + form,
                           headers: [("Cookie", "kesu_session=\(cookie)"), ("Content-Type", "application/x-www-form-urlencoded")])
        }
        let zh = "subject_zh=%E5%B7%B2%E6%94%B6%E5%88%B0&body_zh=%E7%BC%96%E5%8F%B7%20%7Bnumber%7D%EF%BC%8C%E9%93%BE%E6%8E%A5%20%7Blink%7D"
        let bad = try await post(zh + "&subject_en=Got%20it&body_en=Dear%20%7Bname%7D")
        XCTAssertEqual(bad.status, .unprocessableEntity)
        XCTAssertTrue(bad.body.contains("Dear {name}"), "the form keeps what was typed")
        let saved = try await post(zh + "&subject_en=Got%20it&body_en=Number%20%7Bnumber%7D%2C%20follow%20%7Blink%7D")
        XCTAssertEqual(saved.status, .seeOther)

        guard case .created(let number) = try await intake.take(mail(id: "t1@qq.com", subject: "x", body: "13912345678"))
        else { return XCTFail("not created") }
        let first = try await outbound(number)
        let notice = try XCTUnwrap(first.first)
        XCTAssertTrue(notice.body.hasPrefix("编号 \(number)，链接 http"), notice.body)
        XCTAssertTrue(notice.body.contains("Number \(number), follow http"))
        XCTAssertEqual(notice.subject, "[\(number)] 已收到 / Got it")

        let reset = try await post("reset=1")
        XCTAssertEqual(reset.status, .seeOther)
        guard case .created(let other) = try await intake.take(mail(id: "t2@qq.com", subject: "y", body: "13912345678"))
        else { return XCTFail("not created") }
        let second = try await outbound(other)
        let restored = try XCTUnwrap(second.first)
        XCTAssertTrue(restored.body.hasPrefix("您好，我们已收到您的投诉"), restored.body)
        let agent = try await session("agent")
        let denied = try await call(.GET, "/admin/notices", headers: [("Cookie", "kesu_session=\(agent)")])
        XCTAssertEqual(denied.status, .forbidden)
    }

    /// A sender dies after the gateway took some messages and before it wrote that down: the next sender, once the
    /// lease is over, asks the gateway before sending again — each message goes exactly once.
    func testASenderKilledMidBatchSendsEachMessageAtMostOnceAndEventuallyAll() async throws {
        let now = app.kesu.now()
        let rows = (0..<30).map { n in
            OutboundRow(id: UUID(), idempotencyKey: "kill-\(n)", complaintID: nil, customerID: nil, channel: "sms",
                        notice: "closed", urgent: false, recipient: "1391234\(String(format: "%04d", n))", subject: "", body: "结案",
                        messageID: "kill-\(n)@kesu.invalid", inReplyTo: nil, references: [], runAt: now, heldReason: nil,
                        createdAt: now)
        }
        try await MessageStore.enqueue(rows, on: app.db)
        let gateway = RecordingTransport(answersStatus: true)
        // The first sender claims a batch, the gateway takes ten of them, and the process dies.
        let claimed = try await MessageStore.claim(at: now, leaseEnd: now.addingTimeInterval(-0.001), worker: "dead-worker",
                                                   limit: 20, on: app.db)
        XCTAssertEqual(claimed.count, 20)
        for message in claimed.prefix(10) { _ = try await gateway.send(message, config: app.kesu.config, now: now) }

        let sender = MessageSender(services: app.kesu, db: app.db, logger: app.logger, transports: ["sms": gateway])
        let tally = try await sender.runDue()
        XCTAssertEqual(tally.sent, 30)
        for n in 0..<30 { XCTAssertEqual(gateway.count("kill-\(n)"), 1, "kill-\(n) sent \(gateway.count("kill-\(n)")) times") }
        let states = try await MessageStore.counts(on: app.db)
        XCTAssertEqual(states, ["sent": 30])
    }
}
