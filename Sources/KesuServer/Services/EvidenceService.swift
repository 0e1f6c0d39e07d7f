import Fluent
import Foundation
import KesuCore
import KesuStore

/// An evidence file as it arrived, from any door (a page's upload, an e-mail's attachment): its name and bytes.
package struct EvidenceFile: Sendable {
    package var name: String
    package var bytes: Data

    package init(name: String, bytes: Data) {
        self.name = name
        self.bytes = bytes
    }
}

/// 证据附件 — files added to a complaint and read back: staff on complaints they may work or see, the customer on
/// their own complaint, where everything they add is theirs to see. At most 20 MB each; the type comes from the
/// first bytes, never from the name. Each file and its timeline entry are stored in one transaction.
package struct EvidenceService {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    /// Staff add a file to a complaint they may work; `visible` shows it to the customer too.
    package func add(_ file: EvidenceFile, to number: String, visible: Bool, by actor: Actor) async throws -> ComplaintModel {
        let complaint = try await ComplaintService(services: services, db: db).visible(number, to: actor, for: .workComplaints)
        try await store(file, complaintID: try complaint.requireID(), by: actor.displayName, actorID: actor.userID,
                        visible: visible)
        return complaint
    }

    /// The customer adds a file to their own complaint; it is always theirs to see.
    package func add(_ file: EvidenceFile, toOwn complaint: ComplaintModel, by actor: Actor) async throws {
        try actor.require(.actAsCustomer, on: try .complaint(complaint))
        try await store(file, complaintID: try complaint.requireID(), by: complaint.customer.name, actorID: nil,
                        visible: true, byCustomer: true)
    }

    /// A file as a member of staff may read it: one of a complaint they may see.
    package func file(_ id: UUID, for actor: Actor) async throws -> AttachmentModel {
        try actor.require(.viewComplaints)
        guard let file = try await AttachmentModel.find(id, on: db),
              let complaint = try await ComplaintModel.find(file.complaintID, on: db)
        else { throw KesuError.notFound("No such file.") }
        let subject = try await ComplaintService(services: services, db: db).subject(complaint, for: actor)
        try actor.require(.viewComplaints, on: subject)
        return file
    }

    /// A file as the customer (proven for one complaint) may read it: one of that complaint's that is shown to them. Anything else is "no such
    /// file", so a link cannot tell a hidden file from a missing one.
    package func customerFile(_ id: UUID, by actor: Actor) async throws -> AttachmentModel {
        guard let file = try await AttachmentModel.find(id, on: db), file.customerVisible,
              AccessPolicy.allows(actor.principal, .readOwnComplaint, on: Subject(owner: nil, complaintID: file.complaintID))
        else { throw KesuError.notFound("No such file.") }
        return file
    }

    private func store(_ file: EvidenceFile, complaintID: UUID, by name: String, actorID: UUID?, visible: Bool,
                       byCustomer: Bool = false) async throws {
        let (attachment, event) = try Self.prepare(file, complaintID: complaintID, by: name, actorID: actorID,
                                                   visible: visible, byCustomer: byCustomer, services: services)
        try await services.writer.write(on: db) { tx in
            try await attachment.create(on: tx)
            try await ComplaintStore.append([event], on: tx)
        }
    }

    /// A checked file as a row to store, with its timeline entry; for use cases that store files with more.
    static func prepare(_ file: EvidenceFile, complaintID: UUID, by name: String, actorID: UUID?, visible: Bool,
                        byCustomer: Bool = false, inquiryID: UUID? = nil, services: KesuServices) throws -> (AttachmentModel, ComplaintEventModel) {
        let size = file.bytes.count
        guard size > 0 else { throw KesuError.invalid("The file is empty.", fields: ["file": ["empty"]]) }
        guard size <= FileKind.maxBytes else {
            throw KesuError(.payloadTooLarge, "A file may be at most 20 MB.")
        }
        let now = services.now()
        let attachment = AttachmentModel()
        attachment.id = services.ids.next()
        attachment.complaintID = complaintID
        attachment.fileName = FileKind.cleanName(file.name)
        attachment.contentType = FileKind.contentType(of: Array(file.bytes.prefix(16)))
        attachment.size = size
        attachment.data = file.bytes
        attachment.uploadedBy = name
        attachment.byCustomer = byCustomer
        attachment.customerVisible = visible
        attachment.createdAt = now
        attachment.inquiryID = inquiryID
        let event = ComplaintEventModel(id: services.ids.next(), complaintID: complaintID, at: now, actorID: actorID,
                                        actorName: name, kind: "attachment", customerVisible: visible,
                                        note: attachment.fileName)
        return (attachment, event)
    }
}
