import Fluent
import Foundation
import KesuCore
import KesuStore
import Logging

/// 微信受理 — what a WeChat push becomes. The callback only keeps it (once per `MsgId`); ``drain(limit:)`` then
/// takes what was kept, each push exactly once however many processes drain:
/// - the express complaint event (`waybill_complaint`) becomes a complaint on its waybill;
/// - a follower's text, photo or voice joins their open complaint, or becomes a new one once Kesu knows their phone
///   number (followers are strangers until they give it: what they wrote before waits, and they are asked once);
/// - unfollowing stops messages to them (notices go by SMS instead).
package struct WeChatIntake: Sendable {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    package enum Outcome: Sendable, Equatable { case created(String), joined(String), waiting, ignored(String) }

    /// ComplainType of the express complaint event → category: 1004 延误, 1005 丢失, 1006 破损短少, 1007 服务态度, 1008 其他.
    static let categories: [String: ComplaintCategory] = ["1004": .delay, "1005": .loss, "1006": .damage,
                                                          "1007": .deliveryService, "1008": .other]

    static let actor = Actor(userID: UUID(uuid: (0, 0, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0x3e, 0xc1)), username: "wechat",
                             displayName: "微信公众号", role: .system, unitID: MailIntake.gateway.unitID, unitKind: .hq,
                             unitPath: UnitPath(rawValue: "/"), tokenID: nil, standsFor: .integration(.channel(.wechat)))

    /// Keeps a push to be taken; false when WeChat sent it before.
    @discardableResult
    package func keep(_ message: WeChatMessage) async throws -> Bool {
        guard let key = message.deduplicationKey else { return false }
        if try await InboundStore.find(channel: "wechat", externalID: key, on: db) != nil { return false }
        let payload = String(decoding: try JSONEncoder.sorted.encode(message.fields), as: UTF8.self)
        let services = services
        do {
            return try await services.writer.write(on: db) { tx in
                guard try await InboundStore.find(channel: "wechat", externalID: key, on: tx) == nil else { return false }
                try await InboundStore.keep(id: services.ids.next(), channel: "wechat", externalID: key,
                                            sender: message["FromUserName"] ?? "", payload: payload, at: services.now(), on: tx)
                return true
            }
        } catch {
            // a retry that raced its original finds the original kept
            if try await InboundStore.find(channel: "wechat", externalID: key, on: db) != nil { return false }
            throw error
        }
    }

    /// Takes the pushes kept, oldest first, `limit` at a time until none is left; returns how many this call took.
    /// One that cannot be taken now (WeChat unreachable for its photo) stays kept for the next call.
    @discardableResult
    package func drain(limit: Int = 50, logger: Logger? = nil) async throws -> Int {
        var taken = 0, left = Set<UUID>()
        while true {
            let rows = try await InboundStore.waiting(channel: "wechat", limit: limit + left.count, on: db).filter { !left.contains($0.id) }
            for row in rows {
                let fields = (try? JSONDecoder().decode([String: String].self, from: Data(row.payload.utf8))) ?? [:]
                do {
                    if try await take(WeChatMessage(fields: fields), row: row.id, key: row.externalID) != nil { taken += 1 }
                } catch let error as KesuError where error.isBadInput {
                    _ = try await services.writer.write(on: db) { tx in
                        try await InboundStore.settle(row.id, outcome: "ignored", complaintID: nil,
                                                      reason: String(error.message.prefix(200)), on: tx)
                    }
                    logger?.warning("a WeChat push could not become a complaint", metadata: ["why": "\(error.message.prefix(200))"])
                } catch {
                    left.insert(row.id)
                    logger?.warning("a WeChat push waits to be taken later",
                                    metadata: ["why": "\((error as? JobFailure)?.reason ?? String(describing: type(of: error)))"])
                }
            }
            if rows.count < limit { return taken }
        }
    }

    /// Another process took the push first.
    struct Taken: Error {}

    /// Takes one kept push; nil when another process took it first.
    func take(_ message: WeChatMessage, row: UUID, key: String) async throws -> Outcome? {
        do {
            switch (message["MsgType"], message["Event"]) {
            case ("event", "waybill_complaint"): return try await complaintEvent(message, row: row, key: key)
            case ("event", "unsubscribe"), ("event", "subscribe"): return try await follow(message, row: row)
            case ("event", "TEMPLATESENDJOBFINISH"): return try await templateReceipt(message, row: row)
            case ("text", _), ("image", _), ("voice", _): return try await follower(message, row: row, key: key)
            default: return try await settle(row, "ignored", reason: message["MsgType"] ?? "unknown")
            }
        } catch is Taken {
            return nil
        }
    }

    func settle(_ row: UUID, _ outcome: String, reason: String) async throws -> Outcome {
        try await services.writer.write(on: db) { tx in
            guard try await InboundStore.settle(row, outcome: outcome, complaintID: nil, reason: reason, on: tx) else { throw Taken() }
        }
        return .ignored(reason)
    }

    private func complaintEvent(_ message: WeChatMessage, row: UUID, key: String) async throws -> Outcome {
        let pictures = (message["Pic"] ?? "").split(separator: "|").map(String.init).filter { !$0.isEmpty }
        let text = [message["Content"] ?? "", pictures.isEmpty ? "" : "图片 / photos: " + pictures.joined(separator: " ")]
            .filter { !$0.isEmpty }.joined(separator: "\n")
        let draft = ComplaintDraft(channel: .wechat, customerName: message["Name"] ?? "", customerPhone: message["Phone"] ?? "",
                                   waybillNumbers: [message["WayBillID"] ?? ""].filter { !$0.isEmpty },
                                   description: text.isEmpty ? "（微信物流助手投诉 / a WeChat express complaint）" : text,
                                   category: message["ComplainType"].flatMap { Self.categories[$0] })
        let order = message["OrderID"] ?? "", services = services
        let complaint = try await ComplaintService(services: services, db: db).record(
            draft, idempotencyKey: "wechat:" + key, by: Self.actor) { complaint, tx in
            let id = try complaint.requireID()
            guard try await InboundStore.settle(row, outcome: "stored", complaintID: id, reason: nil, on: tx) else { throw Taken() }
            try await ComplaintStore.append([ComplaintEventModel(
                id: services.ids.next(), complaintID: id, at: services.now(), actorID: nil, actorName: Self.actor.displayName,
                kind: "platform_case", customerVisible: false, note: nil,
                after: ["source": "wechat", "caseId": key, "orderId": order].filter { !$0.value.isEmpty })], on: tx)
        }
        return .created(complaint.number)
    }

    /// WeChat's receipt for a template message: `Status` is `success`, or `failed:user block` / `failed: system
    /// failed`; the message it names (by `MsgID`, kept as our reference) is marked delivered or not.
    private func templateReceipt(_ message: WeChatMessage, row: UUID) async throws -> Outcome {
        let ref = "template:" + (message["MsgID"] ?? message["MsgId"] ?? ""), status = message["Status"] ?? ""
        let now = services.now(), services = services
        try await services.writer.write(on: db) { tx in
            guard try await InboundStore.settle(row, outcome: "ignored", complaintID: nil, reason: "TEMPLATESENDJOBFINISH",
                                                on: tx) else { throw Taken() }
            guard let sent = try await MessageStore.sent(channel: "wechat", ref: ref, on: tx),
                  sent.recipient == message["FromUserName"] else { return }
            let delivered = status == "success"
            guard try await MessageStore.reported(sent.id, delivered: delivered,
                                                  error: delivered ? nil : "WeChat: " + String(status.prefix(100)), at: now, on: tx)
            else { return }
            try await MessageSender.record(sent, delivered ? "message_delivered" : "message_undelivered", at: now,
                                           services: services, on: tx)
        }
        return .ignored("TEMPLATESENDJOBFINISH")
    }

    private func follow(_ message: WeChatMessage, row: UUID) async throws -> Outcome {
        let openID = message["FromUserName"] ?? "", now = services.now(), services = services
        let gone = message["Event"] == "unsubscribe"
        try await services.writer.write(on: db) { tx in
            guard try await InboundStore.settle(row, outcome: "ignored", complaintID: nil, reason: message["Event"], on: tx) else {
                throw Taken()
            }
            guard var follower = try await WeChatFollowerStore.find(openID: openID, on: tx) else { return }
            follower.unfollowedAt = gone ? now : nil
            try await WeChatFollowerStore.save(follower, at: now, on: tx)
        }
        return .ignored(message["Event"] ?? "")
    }
}
