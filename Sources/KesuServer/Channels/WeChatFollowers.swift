import Fluent
import Foundation
import KesuCore
import KesuStore

/// A follower's own messages (text, photo, voice with WeChat's recognition) — the conversation in the official
/// account. Customers are keyed by phone, so a follower Kesu does not know yet is asked for their number once a
/// day, and what they wrote meanwhile waits; the message that gives it (or any after, once known) becomes a
/// complaint with all of it, or joins the open complaint this follower last wrote into — never another one of the
/// customer's, since a phone number typed into WeChat proves nothing. Photos are fetched from WeChat (media/get) before
/// the transaction that stores them, and go into evidence like any customer's file.
extension WeChatIntake {
    /// Photos kept waiting for a phone number, at most.
    static let waitingPhotos = 9

    func follower(_ message: WeChatMessage, row: UUID, key: String) async throws -> Outcome {
        let openID = message["FromUserName"] ?? ""
        guard !openID.isEmpty else { return try await settle(row, "ignored", reason: "no FromUserName") }
        let now = services.now(), services = services
        var follower = try await WeChatFollowerStore.find(openID: openID, on: db) ?? WeChatFollower(
            id: services.ids.next(), openID: openID, customerID: nil, lastWroteAt: nil, waitingText: nil, waitingMedia: [],
            askedAt: nil, unfollowedAt: nil)
        follower.lastWroteAt = now
        follower.unfollowedAt = nil
        let said = MailIntake.clip(((message["MsgType"] == "voice" ? message["Recognition"] : message["Content"]) ?? "").trimmed,
                                   to: noteLengthLimit.upperBound)
        var media = follower.waitingMedia
        if message["MsgType"] != "text", let id = message["MediaId"], !id.isEmpty { media.append(id) }
        let everything = [follower.waitingText ?? "", said].filter { !$0.isEmpty }.joined(separator: "\n")
        let customer = try await follower.customerID.asyncMap { try await CustomerModel.find($0, on: db) } ?? nil
        let open = try await WeChatFollowerStore.lastComplaint(openID: openID, on: db)
            .asyncMap { try await ComplaintStore.find(id: $0, on: db) }?
            .flatMap { $0.status == ComplaintStatus.closed.rawValue ? nil : $0 }

        guard let phone = customer?.phone ?? open?.customer.phone ?? MailText.phones(in: everything).first else {
            follower.waitingText = MailIntake.clip(everything, to: IntakeLimits.descriptionLength.upperBound)
            follower.waitingMedia = Array(media.suffix(Self.waitingPhotos))
            let ask = follower.askedAt.map { now.timeIntervalSince($0) >= 86_400 } ?? true
            if ask { follower.askedAt = now }
            let kept = follower
            try await services.writer.write(on: db) { tx in
                guard try await InboundStore.settle(row, outcome: "waiting", complaintID: nil, reason: "no phone number", on: tx) else {
                    throw Taken()
                }
                try await WeChatFollowerStore.save(kept, at: now, on: tx)
                if ask { try await MessageStore.enqueue([askForPhone(openID, key: key, at: now)], on: tx) }
            }
            return .waiting
        }
        let files = try await fetch(media, key: key)
        follower.waitingText = nil
        follower.waitingMedia = []
        if let complaint = open {
            let id = try complaint.requireID(), kept = follower
            try await services.writer.write(on: db) { tx in
                guard try await InboundStore.settle(row, outcome: "joined", complaintID: id, reason: nil, on: tx) else { throw Taken() }
                try await MailIntake.add(everything, files: files, to: complaint, channel: "wechat", services: services, on: tx)
                try await WeChatFollowerStore.save(kept, at: now, on: tx)
            }
            return .joined(complaint.number)
        }
        let draft = ComplaintDraft(
            channel: .wechat, customerName: customer?.name ?? "微信用户", customerPhone: phone,
            waybillNumbers: Array(MailText.waybills(in: everything).prefix(IntakeLimits.waybillCount.upperBound)),
            description: everything.isEmpty ? "（微信图片 / photos sent on WeChat）"
                : MailIntake.clip(everything, to: IntakeLimits.descriptionLength.upperBound))
        let waiting = follower
        let complaint = try await ComplaintService(services: services, db: db).record(
            draft, idempotencyKey: "wechat:" + key, by: Self.actor) { complaint, tx in
            let id = try complaint.requireID()
            guard try await InboundStore.settle(row, outcome: "stored", complaintID: id, reason: nil, on: tx) else { throw Taken() }
            let (rows, events) = try MailIntake.prepare(files, complaintID: id, name: complaint.customer.name, services: services)
            for file in rows { try await file.create(on: tx) }
            try await ComplaintStore.append(events, on: tx)
            // Linked before the acknowledgement is queued, so it answers on WeChat.
            var linked = waiting
            linked.customerID = try complaint.customer.requireID()
            try await WeChatFollowerStore.save(linked, at: now, on: tx)
        }
        return .created(complaint.number)
    }

    /// The photos (or voices), fetched from WeChat; one it no longer has, or too large, is left out.
    func fetch(_ media: [String], key: String) async throws -> [EvidenceFile] {
        guard !media.isEmpty, let settings = services.config.wechat, settings.secret != nil else { return [] }
        let api = WeChatAPI(settings: settings)
        var files: [EvidenceFile] = []
        for (n, id) in media.enumerated() {
            do {
                guard let (bytes, type) = try await api.media(id, limit: FileKind.maxBytes) else { continue }
                let ext = type?.contains("png") == true ? "png" : type?.contains("amr") == true ? "amr" : "jpg"
                files.append(EvidenceFile(name: "wechat-\(n + 1).\(ext)", bytes: bytes))
            } catch is WeChatAPI.Failure {
                continue  // 40007: media WeChat no longer keeps (three days)
            }
        }
        return files
    }

    /// 请提供手机号 — the customer-service message asking a follower Kesu does not know yet for their number.
    func askForPhone(_ openID: String, key: String, at now: Date) -> OutboundRow {
        let id = services.ids.next()
        let body = (Language.zh.strings["wechat_ask_phone"] ?? "") + "\n" + (Language.en.strings["wechat_ask_phone"] ?? "")
        return OutboundRow(id: id, idempotencyKey: "ask_phone:" + key, complaintID: nil, customerID: nil, channel: "wechat",
                           notice: "ask_phone", urgent: false, recipient: openID, subject: "{}", body: body,
                           messageID: OutgoingMail.messageID(for: id, domain: "wechat.invalid"), inReplyTo: nil, references: [],
                           runAt: now, heldReason: nil, createdAt: now)
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
