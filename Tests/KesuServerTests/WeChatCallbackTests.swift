import Foundation
import KesuCore
@testable import KesuServer
import XCTest

/// The official account's callback end to end against what WeChat sends: the URL check, a safe-mode express
/// complaint event kept at once and taken into one complaint though WeChat retries it, and refusals of a bad signature, a stale
/// timestamp, a DTD, an XXE and billion laughs — none of which stores anything.
final class WeChatCallbackTests: KesuTestCase, @unchecked Sendable {
    let token = "kesuToken", appID = "wx5823bf96d3bd56c7", key = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"

    override func setUp() async throws {
        environment = ["KESU_WECHAT_TOKEN": token, "KESU_WECHAT_APPID": appID, "KESU_WECHAT_AES_KEY": key]
        try await super.setUp()
    }

    func query(_ timestamp: String, _ nonce: String, extra: String = "") -> String {
        "signature=\(WeChatCrypto.signature([token, timestamp, nonce]))&timestamp=\(timestamp)&nonce=\(nonce)" + extra
    }

    func now() -> String { String(Int(Date().timeIntervalSince1970)) }

    func push(_ xml: String, at timestamp: String? = nil) async throws -> Reply {
        let stamp = timestamp ?? now(), nonce = "n\(Int.random(in: 1...999_999))"
        let crypto = try WeChatCrypto(token: token, encodingAESKey: key, appID: appID)
        let (encrypted, signature) = try crypto.encrypt(xml, timestamp: stamp, nonce: nonce)
        let envelope = "<xml><ToUserName><![CDATA[gh_kesu]]></ToUserName><Encrypt><![CDATA[\(encrypted)]]></Encrypt></xml>"
        return try await call(.POST, "/wechat/callback?" + query(stamp, nonce, extra: "&encrypt_type=aes&msg_signature=\(signature)"),
                              raw: envelope, headers: [("Content-Type", "text/xml")])
    }

    let complaintEvent = """
        <xml><ToUserName><![CDATA[gh_kesu]]></ToUserName><FromUserName><![CDATA[oWeChatTeam]]></FromUserName>
        <CreateTime>1796000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[waybill_complaint]]></Event>
        <OrderID><![CDATA[WX-O-7788]]></OrderID><WayBillID><![CDATA[YT5500000001]]></WayBillID>
        <ComplainType>1004</ComplainType><Content><![CDATA[快递五天没动，催了也没用]]></Content>
        <Pic><![CDATA[https://wx.example/p1.jpg|https://wx.example/p2.jpg]]></Pic>
        <Name><![CDATA[赵六]]></Name><Phone><![CDATA[13612340009]]></Phone></xml>
        """

    func testTheURLCheckEchoesOnlyForTheRightSignature() async throws {
        let ok = try await call(.GET, "/wechat/callback?" + query(now(), "abc", extra: "&echostr=hello-wechat"))
        XCTAssertEqual(ok.status, .ok)
        XCTAssertEqual(ok.body, "hello-wechat")
        let bad = try await call(.GET, "/wechat/callback?signature=0000&timestamp=\(now())&nonce=abc&echostr=x")
        XCTAssertEqual(bad.status, .unauthorized)
        let stale = try await call(.GET, "/wechat/callback?" + query(String(Int(Date().timeIntervalSince1970) - 900), "abc", extra: "&echostr=x"))
        XCTAssertEqual(stale.status, .unauthorized)
    }

    func testTheExpressComplaintEventBecomesAComplaintOnceThoughRetried() async throws {
        for _ in 0..<3 {
            let answer = try await push(complaintEvent)
            XCTAssertEqual(answer.status, .ok, answer.body)
            XCTAssertEqual(answer.body, "success")
        }
        let early = try await self.count("complaints")
        XCTAssertEqual(early, 0, "the callback only keeps the push; taking it comes after the answer")
        let intake = WeChatIntake(services: app.kesu, db: app.db)
        let taken = try await intake.drain()
        XCTAssertEqual(taken, 1)
        let again = try await intake.drain()
        XCTAssertEqual(again, 0, "a push is taken once")
        let listed = try await call(.GET, "/api/v1/complaints?channel=wechat", as: "agent")
        let items = listed.json["items"] as? [[String: Any]] ?? []
        XCTAssertEqual(items.count, 1, "WeChat's retries are one complaint")
        let number = try XCTUnwrap(items.first?["number"] as? String)
        let detail = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        XCTAssertEqual(detail.json["category"] as? String, "delay", "ComplainType 1004")
        XCTAssertEqual(detail.json["waybillNumbers"] as? [String], ["YT5500000001"])
        XCTAssertTrue((detail.json["description"] as? String)?.contains("https://wx.example/p2.jpg") == true)
        let customer = detail.json["customer"] as? [String: Any]
        XCTAssertEqual(customer?["name"] as? String, "赵六")
    }

    func testHostileOrForgedPushesAreRefusedAndStoreNothing() async throws {
        let dtd = "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><xml><Content>&x;</Content></xml>"
        let laughs = "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><xml><a>&lol2;</a></xml>"
        for hostile in [dtd, laughs] {
            let plain = try await call(.POST, "/wechat/callback?" + query(now(), "n1"), raw: hostile, headers: [("Content-Type", "text/xml")])
            XCTAssertEqual(plain.status, .badRequest, plain.body)
            let wrapped = try await push(hostile)
            XCTAssertEqual(wrapped.status, .badRequest, "a DTD inside the ciphertext too")
        }
        let huge = "<xml><Content>" + String(repeating: "长", count: 70_000) + "</Content></xml>"
        let tooBig = try await call(.POST, "/wechat/callback?" + query(now(), "n2"), raw: huge, headers: [("Content-Type", "text/xml")])
        XCTAssertEqual(tooBig.status.code / 100, 4)
        let forged = try await call(.POST, "/wechat/callback?signature=ffff&timestamp=\(now())&nonce=n3", raw: complaintEvent,
                                    headers: [("Content-Type", "text/xml")])
        XCTAssertEqual(forged.status, .unauthorized)
        let stale = try await push(complaintEvent, at: String(Int(Date().timeIntervalSince1970) - 900))
        XCTAssertEqual(stale.status, .unauthorized)
        _ = try await WeChatIntake(services: app.kesu, db: app.db).drain()
        let count = try await self.count("complaints")
        XCTAssertEqual(count, 0)
        let kept = try await self.count("inbound_messages")
        XCTAssertEqual(kept, 0)
    }
}
