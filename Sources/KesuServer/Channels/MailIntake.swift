import Vapor
import Fluent
import Foundation
import KesuCore
import KesuStore

/// 邮件受理 — an e-mail a customer sent, as the MTA hands it to `kesu mail-in`: it joins the complaint it answers
/// (by our Message-IDs in In-Reply-To/References, else by the `[KS…]` number in the subject when the sender is that
/// complaint's customer) or becomes a new one. Each message is taken once, by its Message-ID; automatic mail and
/// loops are recorded and dropped. The message, its files and its id are stored in one transaction.
package struct MailIntake: Sendable {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    package enum Outcome: Sendable, Equatable {
        /// A new complaint, by number.
        case created(String)
        /// Added to this complaint.
        case joined(String)
        /// Taken before (the MTA delivered it again).
        case duplicate
        /// Recorded and dropped: automatic mail, a loop, a sender past the rate.
        case ignored(String)
        /// Can never be stored; the reason goes back to the sender in the bounce.
        case refused(String)
    }

    /// The gateway the timeline names for what arrived by e-mail: it may file complaints and nothing else.
    static let gateway = Actor(
        userID: UUID(uuid: (0, 0, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0xe1, 0x01)), username: "mail-in",
        displayName: "邮件网关", role: .system, unitID: UUID(uuid: (0, 0, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 0)),
        unitKind: .hq, unitPath: UnitPath(rawValue: "/"), tokenID: nil, standsFor: .integration(.channel(.email)))

    /// Takes one message. Throws only when it cannot be stored now (the database), so the MTA tries again later.
    package func take(_ bytes: [UInt8]) async throws -> Outcome {
        let entity: MIMEEntity
        do { entity = try MIMEEntity.parse(bytes) } catch let refusal as MailRefusal { return .refused(refusal.reason) }
        let mail = IncomingMail(entity, loopTag: services.config.mailFrom)
        guard let from = mail.from else { return .refused("the message has no sender address (From)") }
        let externalID = mail.messageID.map { $0.utf8.count <= 200 ? $0 : "sha256:" + hex(SHA256.hash(data: Data($0.utf8))) }
            ?? "sha256:" + hex(SHA256.hash(data: Data(bytes)))
        if try await InboundStore.find(channel: "email", externalID: externalID, on: db) != nil { return .duplicate }
        let now = services.now()
        func drop(_ reason: String) async throws -> Outcome {
            try await services.writer.write(on: db) { tx in
                guard try await InboundStore.find(channel: "email", externalID: externalID, on: tx) == nil else { return }
                try await InboundStore.record(id: services.ids.next(), channel: "email", externalID: externalID, complaintID: nil,
                                              sender: from.address, outcome: "ignored", reason: reason, at: now, on: tx)
            }
            return .ignored(reason)
        }
        if let reason = mail.automatic { return try await drop(reason) }
        if from.address == services.config.mailFrom.lowercased() { return try await drop("loop") }
        let recent = try await InboundStore.count(sender: from.address, since: now.addingTimeInterval(-3_600), on: db)
        if recent >= services.config.mailRatePerHour { return try await drop("rate") }

        let files = mail.attachments.map { EvidenceFile(name: $0.name, bytes: Data($0.bytes)) }
        if let complaint = try await answered(mail, from: from) {
            return try await join(complaint, mail: mail, files: files, from: from, externalID: externalID)
        }
        return try await create(mail, files: files, from: from, externalID: externalID)
    }

    /// The complaint this message answers: one of our messages it replies to, else its subject's number when the
    /// sender is that complaint's customer (a number alone proves nothing).
    func answered(_ mail: IncomingMail, from: MailAddress) async throws -> ComplaintModel? {
        if let id = try await MessageStore.complaint(answering: mail.answers, on: db),
           let complaint = try await ComplaintStore.find(id: id, on: db) { return complaint }
        for number in MailText.complaintNumbers(inSubject: mail.subject) {
            guard let complaint = try await ComplaintModel.query(on: db).filter(\.$number == number.rawValue)
                .with(\.$customer).first() else { continue }
            if complaint.customer.email?.lowercased() == from.address { return try await ComplaintStore.find(id: complaint.requireID(), on: db) }
        }
        return nil
    }

    private func join(_ complaint: ComplaintModel, mail: IncomingMail, files: [EvidenceFile], from: MailAddress,
                      externalID: String) async throws -> Outcome {
        let id = try complaint.requireID()
        let now = services.now(), services = services
        let text = Self.clip(mail.text, to: noteLengthLimit.upperBound)
        let stored = try await services.writer.write(on: db) { tx -> Bool in
            guard try await InboundStore.find(channel: "email", externalID: externalID, on: tx) == nil else { return false }
            try await Self.add(text, files: files, to: complaint, channel: "email", services: services, on: tx)
            try await InboundStore.record(id: services.ids.next(), channel: "email", externalID: externalID, complaintID: id,
                                          sender: from.address, outcome: "joined", reason: nil, at: now, on: tx)
            return true
        }
        return stored ? .joined(complaint.number) : .duplicate
    }

    /// What the customer sent by a channel, added to their complaint: the text under their name, the files into
    /// evidence (one too large said so), the complaint marked changed.
    static func add(_ text: String, files: [EvidenceFile], to complaint: ComplaintModel, channel: String,
                    services: KesuServices, on tx: any Database) async throws {
        let id = try complaint.requireID(), now = services.now()
        let (kept, events) = try prepare(files, complaintID: id, name: complaint.customer.name, services: services)
        let message = text.isEmpty ? nil : ComplaintEventModel(
            id: services.ids.next(), complaintID: id, at: now, actorID: nil, actorName: complaint.customer.name,
            kind: "customer_message", customerVisible: true, note: text, after: ["channel": channel])
        try await RowLock.complaint(id, on: tx)
        for file in kept { try await file.create(on: tx) }
        try await ComplaintStore.append([message].compactMap { $0 } + events, on: tx)
        try await ComplaintModel.query(on: tx).filter(\.$id == id).set(\.$updatedAt, to: now).update()
    }

    private func create(_ mail: IncomingMail, files: [EvidenceFile], from: MailAddress, externalID: String) async throws -> Outcome {
        let known = try await CustomerModel.query(on: db).filter(\.$email == from.address).sort(\.$createdAt, .descending).first()
        let written = mail.subject + "\n" + mail.text
        guard let phone = known?.phone ?? MailText.phones(in: written).first else {
            return .refused("""
                我们无法受理这封邮件：请在邮件中写明您的手机号码（以及运单号），我们将据此联系您。
                We could not take this message: please write your mobile number (and the waybill number) in it, so we can \
                reach you.
                """)
        }
        let name = String((from.name.isEmpty ? (known?.name ?? String(from.address.prefix { $0 != "@" })) : from.name).prefix(50))
        var description = [mail.subject, mail.text].filter { !$0.isEmpty }.joined(separator: "\n\n")
        if description.isEmpty { description = files.isEmpty ? "（邮件无正文 / the e-mail had no text）" : "（见附件 / see the attached files）" }
        let draft = ComplaintDraft(channel: .email, customerName: name, customerPhone: phone, customerEmail: from.address,
                                   waybillNumbers: Array(MailText.waybills(in: written).prefix(IntakeLimits.waybillCount.upperBound)),
                                   description: Self.clip(description, to: IntakeLimits.descriptionLength.upperBound))
        let services = services
        let key = "mail:" + (externalID.utf8.count <= 190 ? externalID : hex(SHA256.hash(data: Data(externalID.utf8))))
        do {
            let complaint = try await ComplaintService(services: services, db: db).record(draft, idempotencyKey: key, by: Self.gateway) {
                complaint, tx in
                let id = try complaint.requireID()
                let (kept, events) = try MailIntake.prepare(files, complaintID: id, name: complaint.customer.name, services: services)
                for file in kept { try await file.create(on: tx) }
                try await InboundStore.record(id: services.ids.next(), channel: "email", externalID: externalID, complaintID: id,
                                              sender: from.address, outcome: "stored", reason: nil, at: services.now(), on: tx)
                try await ComplaintStore.append(events, on: tx)
            }
            return .created(complaint.number)
        } catch let error as KesuError where error.isBadInput {
            return .refused(error.message)
        }
    }

    /// The files as rows to store, each with its timeline entry; one too large or empty is left out and said so.
    static func prepare(_ files: [EvidenceFile], complaintID: UUID, name: String, services: KesuServices) throws
        -> ([AttachmentModel], [ComplaintEventModel]) {
        var rows: [AttachmentModel] = [], events: [ComplaintEventModel] = []
        for file in files.prefix(20) {
            guard !file.bytes.isEmpty, file.bytes.count <= FileKind.maxBytes else {
                events.append(ComplaintEventModel(id: services.ids.next(), complaintID: complaintID, at: services.now(),
                                                  actorID: nil, actorName: name, kind: "attachment_refused", customerVisible: false,
                                                  note: FileKind.cleanName(file.name), after: ["why": file.bytes.isEmpty ? "empty" : "too_large"]))
                continue
            }
            let (row, event) = try EvidenceService.prepare(file, complaintID: complaintID, by: name, actorID: nil, visible: true,
                                                           byCustomer: true, services: services)
            rows.append(row)
            events.append(event)
        }
        return (rows, events)
    }

    /// At most `limit` characters, cut with an ellipsis.
    static func clip(_ text: String, to limit: Int) -> String {
        text.unicodeScalars.count <= limit ? text : String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit - 1))) + "…"
    }
}
