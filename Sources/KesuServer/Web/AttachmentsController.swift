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
        let upload = try req.content.decode(Upload.self)
        let complaint = try await EvidenceService(services: req.application.kesu, db: req.db)
            .add(Self.evidence(upload.file), to: req.parameters.get("number") ?? "", visible: upload.visible == "1", by: actor)
        return req.redirect(to: Pages.withFlash("/complaints/\(complaint.number)#evidence", "uploaded"))
    }

    @Sendable func staffDownload(req: Request) async throws -> Response {
        let actor = try RequestContext.requireActor()
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw KesuError.notFound("No such file.") }
        return Self.response(for: try await EvidenceService(services: req.application.kesu, db: req.db).file(id, for: actor))
    }

    @Sendable func customerUpload(req: Request) async throws -> Response {
        try Self.rejectOversized(req)
        let token = req.parameters.get("token") ?? ""
        let complaint = try await PortalController.complaint(token: token, on: req)
        let upload = try req.content.decode(Upload.self)
        try await EvidenceService(services: req.application.kesu, db: req.db)
            .add(Self.evidence(upload.file), toOwn: complaint, by: try PortalController.customer(of: complaint))
        return req.redirect(to: "/t/\(token)")
    }

    @Sendable func customerDownload(req: Request) async throws -> Response {
        let complaint = try await PortalController.complaint(token: req.parameters.get("token") ?? "", on: req)
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw KesuError.notFound("No such file.") }
        let file = try await EvidenceService(services: req.application.kesu, db: req.db)
            .customerFile(id, by: try PortalController.customer(of: complaint))
        return Self.response(for: file)
    }

    /// An uploaded file as evidence.
    static func evidence(_ file: File) -> EvidenceFile {
        EvidenceFile(name: file.filename, bytes: Data(file.data.readableBytesView))
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
