import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// 证据附件 — upload evidence to a complaint and see it: staff for complaints they may see, customers for their
/// own complaint's customer-visible files. Files live in the database; at most 20 MB each; their type comes from
/// their first bytes; only images are shown in place, everything else downloads.
struct AttachmentsController: RouteCollection {
    /// Routes for staff (behind the session) or for customers (behind the private link).
    let forCustomers: Bool

    static let uploadLimit = ByteCount(value: FileKind.maxBytes + 512 * 1024)

    func boot(routes: any RoutesBuilder) throws {
        if forCustomers {
            routes.on(.POST, "t", ":token", "attachments", body: .collect(maxSize: Self.uploadLimit), use: customerUpload)
            routes.get("t", ":token", "attachments", ":id", use: customerDownload)
        } else {
            routes.on(.POST, "complaints", ":number", "attachments", body: .collect(maxSize: Self.uploadLimit),
                      use: staffUpload)
            routes.get("attachments", ":id", use: staffDownload)
        }
    }

    struct Upload: Decodable {
        var file: File
        var visible: String?
    }

    /// Refuses a body that says it is too large before anything parses it.
    static func rejectOversized(_ req: Request) throws {
        if let length = req.headers.first(name: .contentLength).flatMap(Int.init), length > uploadLimit.value {
            throw KesuError(.payloadTooLarge, "A file may be at most 20 MB.")
        }
    }

    @Sendable func staffUpload(req: Request) async throws -> Response {
        try Self.rejectOversized(req)
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        try actor.require(.workComplaints)
        let number = req.parameters.get("number") ?? ""
        let complaint = try await ComplaintService(services: req.application.kesu, db: req.db).visible(number, to: actor, for: .workComplaints)
        let upload = try req.content.decode(Upload.self)
        try await Self.store(upload.file, complaintID: try complaint.requireID(), by: actor.displayName,
                             actorID: actor.userID, visible: upload.visible == "1", on: req)
        return req.redirect(to: "/complaints/\(complaint.number)")
    }

    @Sendable func staffDownload(req: Request) async throws -> Response {
        let actor = try RequestContext.requireActor()
        try actor.require(.viewComplaints)
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let file = try await AttachmentModel.find(id, on: req.db),
              let complaint = try await ComplaintModel.find(file.complaintID, on: req.db)
        else { throw KesuError.notFound("No such file.") }
        try actor.require(.viewComplaints,
                          on: try await ComplaintService(services: req.application.kesu, db: req.db).subject(complaint, for: actor))
        return Self.response(for: file)
    }

    @Sendable func customerUpload(req: Request) async throws -> Response {
        try Self.rejectOversized(req)
        let token = req.parameters.get("token") ?? ""
        let complaint = try await PortalController.complaint(token: token, on: req)
        let upload = try req.content.decode(Upload.self)
        try await Self.store(upload.file, complaintID: try complaint.requireID(), by: complaint.customer.name,
                             actorID: nil, visible: true, on: req)
        return req.redirect(to: "/t/\(token)")
    }

    @Sendable func customerDownload(req: Request) async throws -> Response {
        let complaint = try await PortalController.complaint(token: req.parameters.get("token") ?? "", on: req)
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let file = try await AttachmentModel.find(id, on: req.db), file.customerVisible,
              AccessPolicy.allows(.customer(complaintID: try complaint.requireID()), .readOwnComplaint,
                                  on: Subject(owner: nil, complaintID: file.complaintID))
        else { throw KesuError.notFound("No such file.") }
        return Self.response(for: file)
    }

    /// Stores a file and notes it on the timeline, in one transaction.
    static func store(_ file: File, complaintID: UUID, by name: String, actorID: UUID?, visible: Bool,
                      on req: Request) async throws {
        let services = req.application.kesu
        let (attachment, event) = try prepare(file, complaintID: complaintID, by: name, actorID: actorID,
                                              visible: visible, services: services)
        try await services.writer.write(on: req.db) { tx in
            try await attachment.create(on: tx)
            try await ComplaintStore.append([event], on: tx)
        }
    }

    /// A checked file as a row to store, with its timeline entry.
    static func prepare(_ file: File, complaintID: UUID, by name: String, actorID: UUID?, visible: Bool,
                        inquiryID: UUID? = nil, services: KesuServices) throws -> (AttachmentModel, ComplaintEventModel) {
        let size = file.data.readableBytes
        guard size > 0 else { throw KesuError.invalid("The file is empty.", fields: ["file": ["empty"]]) }
        guard size <= FileKind.maxBytes else {
            throw KesuError(.payloadTooLarge, "A file may be at most 20 MB.")
        }
        let bytes = Data(file.data.readableBytesView)
        let now = services.now()
        let attachment = AttachmentModel()
        attachment.id = services.ids.next()
        attachment.complaintID = complaintID
        attachment.fileName = FileKind.cleanName(file.filename)
        attachment.contentType = FileKind.contentType(of: Array(bytes.prefix(16)))
        attachment.size = size
        attachment.data = bytes
        attachment.uploadedBy = name
        attachment.customerVisible = visible
        attachment.createdAt = now
        attachment.inquiryID = inquiryID
        let event = ComplaintEventModel(id: services.ids.next(), complaintID: complaintID, at: now, actorID: actorID,
                                        actorName: name, kind: "attachment", customerVisible: visible,
                                        note: attachment.fileName)
        return (attachment, event)
    }

    static func response(for file: AttachmentModel) -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: file.contentType)
        let encoded = file.fileName.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "file"
        let disposition = FileKind.isInline(file.contentType) ? "inline" : "attachment"
        headers.replaceOrAdd(name: "Content-Disposition", value: "\(disposition); filename=\"file\"; filename*=UTF-8''\(encoded)")
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=3600")
        return Response(status: .ok, headers: headers, body: .init(data: file.data))
    }
}
