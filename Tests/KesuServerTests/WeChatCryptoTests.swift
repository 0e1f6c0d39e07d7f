import Foundation
@testable import KesuServer
import XCTest

/// WeChat's callback security against the vector WeChat publishes with its sample code (WXBizMsgCrypt): the
/// signature, the decryption, and refusals of a wrong signature, a wrong AppID and a broken ciphertext.
final class WeChatCryptoTests: XCTestCase {
    let published = (token: "QDG6eK", key: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", appID: "wx5823bf96d3bd56c7",
                     signature: "477715d11cdb4164915debcba66cb864d751f3e6", timestamp: "1409659813", nonce: "1372623149",
                     encrypted: "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==")

    func testThePublishedMessageDecrypts() throws {
        let crypto = try WeChatCrypto(token: published.token, encodingAESKey: published.key, appID: published.appID)
        XCTAssertEqual(WeChatCrypto.signature([published.token, published.timestamp, published.nonce, published.encrypted]),
                       published.signature)
        let message = try crypto.decrypt(published.encrypted, msgSignature: published.signature,
                                         timestamp: published.timestamp, nonce: published.nonce)
        XCTAssertTrue(message.hasPrefix("<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>"), message)
        XCTAssertTrue(message.contains("<Content><![CDATA[hello]]></Content>"))
        XCTAssertTrue(message.contains("<MsgId>4561255354251345929</MsgId>"))
    }

    func testWrongSignaturesAppIDsAndCiphertextsAreRefused() throws {
        let crypto = try WeChatCrypto(token: published.token, encodingAESKey: published.key, appID: published.appID)
        XCTAssertThrowsError(try crypto.decrypt(published.encrypted, msgSignature: String(repeating: "0", count: 40),
                                                timestamp: published.timestamp, nonce: published.nonce))
        XCTAssertThrowsError(try crypto.decrypt(published.encrypted, msgSignature: published.signature,
                                                timestamp: "1409659814", nonce: published.nonce), "the timestamp is signed")
        let other = try WeChatCrypto(token: published.token, encodingAESKey: published.key, appID: "wx0000000000000000")
        XCTAssertThrowsError(try other.decrypt(published.encrypted, msgSignature: published.signature,
                                               timestamp: published.timestamp, nonce: published.nonce)) {
            XCTAssertEqual(($0 as? WeChatCrypto.Refusal)?.reason, "the message is for another AppID")
        }
        let broken = "AAAA" + published.encrypted.dropFirst(4)
        XCTAssertThrowsError(try crypto.decrypt(broken, msgSignature: WeChatCrypto.signature([published.token, "1", "2", broken]),
                                                timestamp: "1", nonce: "2"))
        XCTAssertThrowsError(try WeChatCrypto(token: "t", encodingAESKey: "short", appID: "a"))
    }

    func testOurRepliesDecryptBack() throws {
        let crypto = try WeChatCrypto(token: published.token, encodingAESKey: published.key, appID: published.appID)
        let reply = "<xml><Content><![CDATA[已收到，投诉编号 KS20261202000001]]></Content></xml>"
        let (encrypted, signature) = try crypto.encrypt(reply, timestamp: "1700000000", nonce: "n1")
        XCTAssertEqual(try crypto.decrypt(encrypted, msgSignature: signature, timestamp: "1700000000", nonce: "n1"), reply)
    }
}
