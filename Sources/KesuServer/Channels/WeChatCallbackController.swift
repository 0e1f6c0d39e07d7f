import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// /wechat/callback — the official account's server URL. GET proves the URL to WeChat (the signature over token,
/// timestamp and nonce; `echostr` echoed). POST takes a push: signed, within five minutes of our clock, decrypted in
/// safe mode, read as safe XML, kept once per `MsgId` (WeChat retries three times in 5 s), answered `success`.
/// ``WeChatIntake`` then makes of it a complaint or a message on one.
struct WeChatCallbackController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("wechat", "callback", use: verify)
        routes.on(.POST, "wechat", "callback", body: .collect(maxSize: ByteCount(value: WeChatMessage.maxBytes * 2)), use: push)
    }

    struct Query: Decodable {
        var signature: String?, timestamp: String?, nonce: String?, echostr: String?
        var encrypt_type: String?, msg_signature: String?
    }

    func settings(_ req: Request) throws -> WeChatSettings {
        guard let settings = req.application.kesu.config.wechat else { throw KesuError.notFound("No WeChat account is set up.") }
        return settings
    }

    func checkSignature(_ q: Query, _ settings: WeChatSettings, now: Date) throws {
        guard let signature = q.signature, let timestamp = q.timestamp, let nonce = q.nonce,
              WeChatCrypto.matches(signature, WeChatCrypto.signature([settings.token, timestamp, nonce])) else {
            throw KesuError(.unauthenticated, "The WeChat signature does not match.")
        }
        guard let seconds = Double(timestamp), abs(now.timeIntervalSince1970 - seconds) <= 300 else {
            throw KesuError(.unauthenticated, "The WeChat timestamp is more than five minutes from ours.")
        }
    }

    @Sendable func verify(req: Request) async throws -> Response {
        let settings = try settings(req)
        let q = try req.query.decode(Query.self)
        try checkSignature(q, settings, now: req.application.kesu.now())
        return Response(status: .ok, body: .init(string: q.echostr ?? ""))
    }

    @Sendable func push(req: Request) async throws -> Response {
        let settings = try settings(req)
        let q = try req.query.decode(Query.self)
        try checkSignature(q, settings, now: req.application.kesu.now())
        let raw = req.body.data.map { Array($0.readableBytesView) } ?? []
        var message: WeChatMessage
        do {
            message = try WeChatMessage.parse(raw)
            if q.encrypt_type == "aes" {
                guard let key = settings.encodingAESKey, let encrypted = message["Encrypt"], let msgSignature = q.msg_signature,
                      let timestamp = q.timestamp, let nonce = q.nonce else {
                    throw KesuError(.unauthenticated, "A safe-mode push needs Encrypt and msg_signature.")
                }
                let crypto = try WeChatCrypto(token: settings.token, encodingAESKey: key, appID: settings.appID)
                let plain = try crypto.decrypt(encrypted, msgSignature: msgSignature, timestamp: timestamp, nonce: nonce)
                message = try WeChatMessage.parse(Array(plain.utf8))
            }
        } catch let refusal as WeChatMessage.Refusal {
            throw KesuError.invalid("The push is not WeChat's XML: \(refusal.reason).")
        } catch let refusal as WeChatCrypto.Refusal {
            throw KesuError(.unauthenticated, "The push cannot be decrypted: \(refusal.reason).")
        }
        // Kept in one write and answered: WeChat gives up after 5 s. What it becomes is worked out after (the outbox
        // loop), where fetching a photo from WeChat holds up no one.
        try await WeChatIntake(services: req.application.kesu, db: req.db).keep(message)
        return Response(status: .ok, body: .init(string: "success"))
    }
}
