import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// `KESU_WECHAT_TOKEN`, `KESU_WECHAT_APPID` and, for safe mode, `KESU_WECHAT_AES_KEY` (the EncodingAESKey).
package struct WeChatSettings: Sendable, Equatable {
    package var token: String
    package var appID: String
    package var encodingAESKey: String?
}

/// /wechat/callback — the official account's server URL. GET proves the URL to WeChat (the signature over token,
/// timestamp and nonce; `echostr` echoed). POST takes a push: signed, within five minutes of our clock, decrypted in
/// safe mode, read as safe XML, taken once per `MsgId` (WeChat retries three times in 5 s), answered `success`.
/// The express complaint event (`waybill_complaint`) becomes a complaint on its waybill.
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
        _ = try await WeChatIntake(services: req.application.kesu, db: req.db).take(message)
        return Response(status: .ok, body: .init(string: "success"))
    }
}

/// 微信受理 — what a WeChat push becomes, once per push.
package struct WeChatIntake: Sendable {
    let services: KesuServices
    let db: any Database

    package enum Outcome: Sendable, Equatable { case created(String), duplicate, kept(String) }

    /// ComplainType of the express complaint event → category: 1004 延误, 1005 丢失, 1006 破损短少, 1007 服务态度, 1008 其他.
    static let categories: [String: ComplaintCategory] = ["1004": .delay, "1005": .loss, "1006": .damage,
                                                          "1007": .deliveryService, "1008": .other]

    static let actor = Actor(userID: UUID(uuid: (0, 0, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0x3e, 0xc1)), username: "wechat",
                             displayName: "微信公众号", role: .system, unitID: MailIntake.gateway.unitID, unitKind: .hq,
                             unitPath: UnitPath(rawValue: "/"), tokenID: nil, standsFor: .integration(.channel(.wechat)))

    package func take(_ message: WeChatMessage) async throws -> Outcome {
        guard let key = message.deduplicationKey else { return .kept("no MsgId") }
        if try await InboundStore.find(channel: "wechat", externalID: key, on: db) != nil { return .duplicate }
        let sender = message["FromUserName"] ?? "", services = services
        guard message["MsgType"] == "event", message["Event"] == "waybill_complaint" else {
            // A follower's own messages wait for the follower conversation (linking the openid to a phone number).
            try await services.writer.write(on: db) { tx in
                guard try await InboundStore.find(channel: "wechat", externalID: key, on: tx) == nil else { return }
                try await InboundStore.record(id: services.ids.next(), channel: "wechat", externalID: key, complaintID: nil,
                                              sender: sender, outcome: "ignored", reason: message["MsgType"] ?? "unknown",
                                              at: services.now(), on: tx)
            }
            return .kept(message["MsgType"] ?? "unknown")
        }
        let pictures = (message["Pic"] ?? "").split(separator: "|").map(String.init).filter { !$0.isEmpty }
        let text = [message["Content"] ?? "", pictures.isEmpty ? "" : "图片 / photos: " + pictures.joined(separator: " ")]
            .filter { !$0.isEmpty }.joined(separator: "\n")
        let draft = ComplaintDraft(channel: .wechat, customerName: message["Name"] ?? "", customerPhone: message["Phone"] ?? "",
                                   waybillNumbers: [message["WayBillID"] ?? ""].filter { !$0.isEmpty },
                                   description: text.isEmpty ? "（微信物流助手投诉 / a WeChat express complaint）" : text,
                                   category: message["ComplainType"].flatMap { Self.categories[$0] })
        let order = message["OrderID"] ?? ""
        let complaint = try await ComplaintService(services: services, db: db).record(
            draft, idempotencyKey: "wechat:" + key, by: Self.actor) { complaint, tx in
            let id = try complaint.requireID()
            try await InboundStore.record(id: services.ids.next(), channel: "wechat", externalID: key, complaintID: id,
                                          sender: sender, outcome: "stored", reason: nil, at: services.now(), on: tx)
            try await ComplaintStore.append([ComplaintEventModel(
                id: services.ids.next(), complaintID: id, at: services.now(), actorID: nil, actorName: Self.actor.displayName,
                kind: "platform_case", customerVisible: false, note: nil,
                after: ["source": "wechat", "caseId": key, "orderId": order].filter { !$0.value.isEmpty })], on: tx)
        }
        return .created(complaint.number)
    }
}
