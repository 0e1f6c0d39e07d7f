import Fluent
import Foundation
import KesuCore
@testable import KesuServer
import KesuStore
import SQLKit
import XCTest

/// The conversation in the official account, against a fake of WeChat's API that speaks its protocol: a stranger is
/// asked for their number once and what they wrote waits; the number turns it all (with the photo, fetched from
/// WeChat) into a complaint acknowledged on WeChat; later messages join it; an agent's reply goes back as a
/// customer-service message inside 48 hours and as a template message after; a stale token is fetched again; a
/// follower who leaves is answered by SMS; another follower typing the same number learns nothing.
final class WeChatConversationTests: KesuTestCase, @unchecked Sendable {
    let token = "kesuToken", appID = "wx5823bf96d3bd56c7"
    var wechat: FakeWeChatServer!
    var gateway: FakeSMSGateway!
    var msgID = 24_000_000_000_000_000

    override func setUp() async throws {
        wechat = try await FakeWeChatServer(appID: appID, secret: "wx-secret", templates: ["TPL_RECEIVED", "TPL_REPLY"])
        gateway = try await FakeSMSGateway(secret: "s3cret")
        environment = ["KESU_WECHAT_TOKEN": token, "KESU_WECHAT_APPID": appID, "KESU_WECHAT_SECRET": "wx-secret",
                       "KESU_WECHAT_API": wechat.url, "KESU_WECHAT_TEMPLATES": "received:TPL_RECEIVED,reply:TPL_REPLY",
                       "KESU_SMS_URL": gateway.url, "KESU_SMS_KEY_ID": "kesu-test", "KESU_SMS_SECRET": "s3cret",
                       "KESU_SMS_SIGN": "某某快递", "KESU_SMS_TEMPLATES": "received:SMS_1001,reply:SMS_1002"]
        try await super.setUp()
    }

    override func tearDown() async throws {
        try await wechat.stop()
        try await gateway.stop()
        try await super.tearDown()
    }

    /// A follower's message as WeChat pushes it (plain mode), answered `success`; `id` repeats one to retry it.
    @discardableResult
    func say(_ openID: String, _ fields: [String: String], type: String = "text", id: Int? = nil) async throws -> Int {
        let id = id ?? { msgID += 1; return msgID }()
        let stamp = String(Int(Date().timeIntervalSince1970)), nonce = "n\(id)"
        let extra = fields.map { "<\($0.key)><![CDATA[\($0.value)]]></\($0.key)>" }.sorted().joined()
        let xml = "<xml><ToUserName><![CDATA[gh_kesu]]></ToUserName><FromUserName><![CDATA[\(openID)]]></FromUserName>"
            + "<CreateTime>\(stamp)</CreateTime><MsgType><![CDATA[\(type)]]></MsgType>\(extra)"
            + (type == "event" ? "" : "<MsgId>\(id)</MsgId>") + "</xml>"
        let query = "signature=\(WeChatCrypto.signature([token, stamp, nonce]))&timestamp=\(stamp)&nonce=\(nonce)"
        let answer = try await call(.POST, "/wechat/callback?" + query, raw: xml, headers: [("Content-Type", "text/xml")])
        XCTAssertEqual(answer.body, "success")
        if type != "event" { wechat.lastWrote.withLockedValue { $0[openID] = Date() } }
        return id
    }

    /// What the outbox loop does: takes the pushes kept, then sends what is due.
    @discardableResult
    func tick() async throws -> MessageSender.Tally {
        try await MessageSender(services: app.kesu, db: app.db, logger: app.logger).runDue()
    }

    func complaints() async throws -> [[String: Any]] {
        try await call(.GET, "/api/v1/complaints?channel=wechat", as: "agent").json["items"] as? [[String: Any]] ?? []
    }

    func detail(_ number: String) async throws -> [String: Any] {
        try await call(.GET, "/api/v1/complaints/\(number)", as: "agent").json
    }

    func timeline(_ number: String) async throws -> [ComplaintEventModel] {
        let complaint = try await ComplaintModel.query(on: app.db).filter(\.$number == number).first()
        return try await ComplaintStore.timeline(of: XCTUnwrap(complaint?.requireID()), on: app.db)
    }

    func reply(_ number: String, _ text: String) async throws {
        let r = try await call(.POST, "/api/v1/complaints/\(number)/notes", as: "agent", json: ["body": text, "customerVisible": true])
        XCTAssertEqual(r.status.code / 100, 2, r.body)
    }

    static let photo = Data([0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 9, count: 200))

    func testAStrangerIsAskedForTheirNumberOnceAndWhatTheyWroteBecomesTheComplaint() async throws {
        wechat.media.withLockedValue { $0["MEDIA_BOX"] = Self.photo }
        try await say("oFan1", ["Content": "快递 YT5500000002 三天没动了"])
        try await tick()
        let none = try await complaints()
        XCTAssertEqual(none.count, 0, "no complaint before Kesu knows who writes")
        let asked = wechat.messages(to: "oFan1")
        XCTAssertEqual(asked.count, 1)
        XCTAssertTrue(asked.first?.text.contains("手机号") == true, asked.first?.text ?? "")
        try await say("oFan1", ["PicUrl": "https://mmbiz.example/box.jpg", "MediaId": "MEDIA_BOX"], type: "image")
        try await say("oFan1", ["MediaId": "MEDIA_VOICE_GONE", "Format": "amr", "Recognition": "箱子也压坏了"], type: "voice")
        try await tick()
        XCTAssertEqual(wechat.messages(to: "oFan1").count, 1, "asked once a day, not at every message")

        try await say("oFan1", ["Content": "13812340001"])
        try await tick()
        let items = try await complaints()
        XCTAssertEqual(items.count, 1)
        let number = try XCTUnwrap(items.first?["number"] as? String)
        let complaint = try await detail(number)
        let description = complaint["description"] as? String ?? ""
        for words in ["三天没动了", "箱子也压坏了", "13812340001"] { XCTAssertTrue(description.contains(words), description) }
        XCTAssertEqual(complaint["waybillNumbers"] as? [String], ["YT5500000002"])
        XCTAssertEqual((complaint["customer"] as? [String: Any])?["phone"] as? String, "13812340001")
        let files = try await AttachmentModel.query(on: app.db).all()
        XCTAssertEqual(files.map(\.contentType), ["image/jpeg"], "the photo is fetched; the voice WeChat no longer keeps is not")
        XCTAssertEqual(files.first?.byCustomer, true)
        let said = wechat.messages(to: "oFan1")
        XCTAssertEqual(said.count, 2)
        XCTAssertEqual(said.last?.api, "custom")
        XCTAssertTrue(said.last?.text.contains(number) == true, "acknowledged on WeChat with its number")
        XCTAssertTrue(said.last?.text.contains("/t/") == true, "and its private link")
        XCTAssertEqual(gateway.sent.withLockedValue { $0.count }, 0, "not by SMS as well")
    }

    func testLaterMessagesJoinTheComplaintAndRepliesGoBackOnWeChat() async throws {
        try await say("oFan2", ["Content": "我是13812340002，运单YT5500000003显示签收但我没收到"])
        try await tick()
        let all = try await complaints()
        let number = try XCTUnwrap(all.first?["number"] as? String)
        let later = try await say("oFan2", ["Content": "问了门卫也没有"])
        try await say("oFan2", ["Content": "问了门卫也没有"], id: later)
        try await tick()
        let listed = try await complaints()
        XCTAssertEqual(listed.count, 1, "a later message joins the open complaint")
        let joined = try await timeline(number).filter { $0.kind == "customer_message" }
        XCTAssertEqual(joined.map(\.note), ["问了门卫也没有"], "WeChat's retry is not a second message")

        try await reply(number, "已联系网点核实，今天下午回复您。")
        try await tick()
        let custom = try XCTUnwrap(wechat.messages(to: "oFan2").last)
        XCTAssertEqual(custom.api, "custom")
        XCTAssertTrue(custom.text.contains("已联系网点核实"), custom.text)

        // Two days on, WeChat refuses customer-service messages; the reply goes as the template message.
        wechat.lastWrote.withLockedValue { $0["oFan2"] = Date().addingTimeInterval(-49 * 3600) }
        try await reply(number, "网点已找到包裹，明早派送。")
        try await tick()
        let template = try XCTUnwrap(wechat.messages(to: "oFan2").last)
        XCTAssertEqual(template.api, "template")
        XCTAssertEqual(template.template, "TPL_REPLY")
        XCTAssertTrue(template.text.contains(number) && template.text.contains("明早派送"), template.text)
        let rows = try await MessageStore.list(state: nil, limit: 20, on: app.db)
        XCTAssertEqual(Set(rows.map(\.state)), ["sent"])

        // WeChat's receipt for the template message says it arrived; one naming it for another follower is ignored.
        let sentRow = try XCTUnwrap(rows.first { $0.providerRef?.hasPrefix("template:") == true })
        let msgID = String(try XCTUnwrap(sentRow.providerRef).dropFirst("template:".count))
        XCTAssertNotEqual(msgID, sentRow.id.uuidString, "WeChat's own msgid is kept")
        try await say("oSomeoneElse", ["Event": "TEMPLATESENDJOBFINISH", "MsgID": msgID, "Status": "failed:user block"], type: "event")
        try await tick()
        let untouched = try await MessageStore.list(state: "sent", limit: 20, on: app.db)
        XCTAssertTrue(untouched.contains { $0.id == sentRow.id })
        try await say("oFan2", ["Event": "TEMPLATESENDJOBFINISH", "MsgID": msgID, "Status": "success"], type: "event")
        try await tick()
        let delivered = try await MessageStore.list(state: "delivered", limit: 20, on: app.db)
        XCTAssertEqual(delivered.map(\.id), [sentRow.id])
        let events = try await timeline(number).map(\.kind)
        XCTAssertTrue(events.contains("message_delivered"), "\(events)")
    }

    func testAStaleTokenIsFetchedAgainOnce() async throws {
        try await say("oFan3", ["Content": "13812340003 YT5500000004 破损"])
        try await tick()
        let all = try await complaints()
        let number = try XCTUnwrap(all.first?["number"] as? String)
        XCTAssertEqual(wechat.tokenFetches.withLockedValue { $0 }, 1)
        wechat.expireTokens()
        try await reply(number, "请提供外包装照片。")
        let tally = try await tick()
        XCTAssertEqual(tally.sent, 1)
        XCTAssertEqual(wechat.tokenFetches.withLockedValue { $0 }, 2, "one new token, and the message sent with it")
        XCTAssertTrue(wechat.messages(to: "oFan3").last?.text.contains("外包装照片") == true)
    }

    func testAFollowerWhoLeavesIsAnsweredBySMS() async throws {
        try await say("oFan4", ["Content": "13812340004 YT5500000005 快递员态度差"])
        try await tick()
        let all = try await complaints()
        let number = try XCTUnwrap(all.first?["number"] as? String)
        try await say("oFan4", ["Event": "unsubscribe"], type: "event")
        try await tick()
        try await reply(number, "已对快递员进行批评教育。")
        try await tick()
        XCTAssertEqual(wechat.messages(to: "oFan4").count, 1, "only the acknowledgement, while they followed")
        let sms = gateway.sent.withLockedValue { $0 }
        XCTAssertEqual(sms.map(\.phone), ["13812340004"])
        XCTAssertEqual(sms.first?.template, "SMS_1002")
    }

    func testAnotherFollowerTypingTheSameNumberLearnsNothingOfTheComplaint() async throws {
        try await say("oOwner", ["Content": "13812340005 YT5500000006 丢件"])
        try await tick()
        let all = try await complaints()
        let first = try XCTUnwrap(all.first?["number"] as? String)
        try await say("oStranger", ["Content": "13812340005 我要补充"])
        try await tick()
        let numbers = try await complaints().compactMap { $0["number"] as? String }
        XCTAssertEqual(numbers.count, 2, "a number typed into WeChat opens a complaint of its own, it joins no one's")
        let joined = try await timeline(first).filter { $0.kind == "customer_message" }
        XCTAssertEqual(joined.count, 0)
        try await reply(first, "已立案调查。")
        try await tick()
        XCTAssertTrue(wechat.messages(to: "oOwner").last?.text.contains("已立案调查") == true)
        XCTAssertFalse(wechat.messages(to: "oStranger").contains { $0.text.contains("已立案调查") || $0.text.contains(first) })
    }
}
