import Fluent
import Foundation
import KesuCore
import KesuStore

/// 客户通知 — puts a message to the customer in the outbox, inside the transaction of what it tells, on the channel
/// the customer used (e-mail when they wrote by e-mail). The notice rules decide when: at once, held for quiet hours
/// or the daily cap, or not at all (turned off). Each message is on the complaint's timeline from the start.
package enum CustomerNotices {
    /// The channel a complaint's customer is answered on, or nil when they have none Kesu can use. A message on a
    /// channel whose service is not configured is still queued, and given up with that reason on the outbox page.
    static func channel(for complaint: ComplaintModel, customer: CustomerModel, config: AppConfig,
                        on tx: any Database) async throws -> (String, String)? {
        if let email = customer.email, complaint.channel == Channel.email.rawValue, MailAddress(address: email) != nil {
            return ("email", email)
        }
        // A follower who complained on WeChat is answered there while they follow.
        if complaint.channel == Channel.wechat.rawValue, config.wechat?.secret != nil,
           let openID = try await WeChatFollowerStore.openID(complaintID: complaint.requireID(), on: tx) {
            return ("wechat", openID)
        }
        if config.sms != nil, let phone = PhoneNumber(customer.phone), phone.isMobile { return ("sms", phone.digits) }
        return nil
    }

    /// Queues one notice. `key` makes it once-only (the event or request it tells of); `values` fill its template,
    /// and with `link` a new private link to the complaint fills `{link}`. Returns the timeline events to append
    /// (queued, held or not sent), none when the customer has no channel. `to` sends it elsewhere than to the
    /// customer (the regulator's office), outside the customer's thread.
    @discardableResult
    package static func queue(_ kind: NoticeKind, values: [String: String], link: Bool = false, urgent: Bool = false,
                              key: String, complaint: ComplaintModel, customer: CustomerModel,
                              to: (channel: String, recipient: String)? = nil, services: KesuServices,
                              on tx: any Database) async throws -> [ComplaintEventModel] {
        let route: (String, String)?
        if let to { route = (to.channel, to.recipient) } else {
            route = try await channel(for: complaint, customer: customer, config: services.config, on: tx)
        }
        guard let (channel, recipient) = route else { return [] }
        let complaintID = try complaint.requireID()
        var values = values
        if link {
            let token = try await ComplaintService.issueCustomerLink(to: complaintID, services: services, on: tx)
            values["link"] = services.config.publicURL + "/t/" + token
        }
        let customerID = try customer.requireID()
        let now = services.now()
        let settings = NoticeSettings(timeZone: services.config.timeZone.identifier)
        let sent = kind.proactive ? try await MessageStore.proactiveTimes(customerID: customerID, complaintID: complaintID,
                                                                          since: now.addingTimeInterval(-86_400), on: tx) : []
        let wrote = kind.proactive ? try await MessageStore.customerWrote(complaintID: complaintID, on: tx) : nil
        let decision = NoticeRules.decide(kind, urgent: urgent, now: now, settings: settings, proactiveSent: sent,
                                          customerWrote: wrote, optedOut: customer.noticesOff == true)
        let masked = mask(recipient)
        func event(_ eventKind: String, _ extra: [String: String]) -> ComplaintEventModel {
            ComplaintEventModel(id: services.ids.next(), complaintID: complaintID, at: now, actorID: nil, actorName: "Kesu",
                                kind: eventKind, customerVisible: false, note: nil,
                                after: ["channel": channel, "notice": kind.rawValue, "to": masked].merging(extra) { $1 })
        }
        guard case .send(let at, let held) = decision else {
            if case .skip(let why) = decision { return [event("message_skipped", ["why": why == "opted out" ? "opted_out" : why])] }
            return []
        }
        let id = services.ids.next()
        let domain = services.config.mailFrom.split(separator: "@").last.map(String.init) ?? "kesu.invalid"
        let answered = channel == "email" && to == nil
            ? try await InboundStore.externalIDs(complaintID: complaintID, channel: "email", on: tx) : []
        let filled = values.merging(["number": complaint.number]) { a, _ in a }
        // The words in force (an admin's, else the catalog's), Chinese first and English after on e-mail.
        let words = NoticeTemplates.words(kind, channel: channel, overrides: try await NoticeTemplateStore.find(
            notice: kind.rawValue, channel: channel, on: tx))
        func filling(_ template: String?) -> String { Language.fill(template ?? "", filled) }
        var subject = filling(words.subject[.zh]) + " / " + filling(words.subject[.en])
        var body = filling(words.body[.zh]) + "\n\n——\n\n" + filling(words.body[.en])
        if channel != "email" {
            // An SMS is a gateway template filled with parameters, a WeChat notice outside the 48-hour window a
            // template message: those are kept as the message's subject, with the Chinese text it reads as (what a
            // WeChat customer-service message says) for the timeline and the outbox page.
            var parameters = SMSSettings.parameters(for: kind.rawValue, number: complaint.number, link: values["link"])
            if channel == "wechat" {
                parameters["title"] = filling(Language.zh.strings["notice_\(kind.rawValue)_subject"])
                parameters["state"] = Language.zh.strings["status." + complaint.status] ?? complaint.status
            }
            subject = String(data: try JSONEncoder.sorted.encode(parameters), encoding: .utf8) ?? "{}"
            body = filling(words.body[.zh])
        }
        let row = OutboundRow(
            id: id, idempotencyKey: "\(kind.rawValue):\(key)".prefix(200).description, complaintID: complaintID,
            customerID: customerID, channel: channel, notice: kind.rawValue, urgent: urgent, recipient: recipient,
            subject: channel == "email" ? OutgoingMail.taggedSubject(subject, number: complaint.number) : subject, body: body,
            messageID: OutgoingMail.messageID(for: id, domain: domain), inReplyTo: answered.first,
            references: Array(answered.reversed()), runAt: at, heldReason: held, createdAt: now)
        try await MessageStore.enqueue([row], on: tx)
        var extra = ["message": id.uuidString]
        if let held { extra["why"] = held == "quiet hours" ? "quiet" : "cap" }
        if held != nil { extra["until"] = String(at.millis) }
        return [event(held == nil ? "message_queued" : "message_held", extra)]
    }

    /// An address or number as the timeline shows it: enough to tell which, not enough to copy.
    static func mask(_ recipient: String) -> String {
        if let at = recipient.firstIndex(of: "@") {
            let local = recipient[..<at]
            return String(local.prefix(2)) + "***" + recipient[at...]
        }
        return PhoneNumber(recipient)?.masked ?? "****"
    }
}
