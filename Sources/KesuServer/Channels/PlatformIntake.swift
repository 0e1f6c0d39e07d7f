import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// 平台投诉 — complaints an e-commerce platform pushes by webhook (`POST /api/v1/intake/{source}`). Each request is
/// signed with the platform's secret: `X-Kesu-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`
/// with the Unix time in `X-Kesu-Timestamp`; a request more than five minutes from our clock is refused, so a
/// captured one cannot be replayed later, and the platform's case id makes a repeat within that time a duplicate.
package struct PlatformIntake: Sendable {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    /// How far a request's timestamp may be from our clock.
    package static let window: TimeInterval = 300

    package struct Case: Decodable, Sendable {
        var caseId: String
        var orderId: String?
        var waybillNumbers: [String]?
        var customer: Customer
        var description: String
        var category: String?
        struct Customer: Decodable, Sendable { var name: String; var phone: String; var email: String? }
    }

    package enum Outcome: Sendable, Equatable {
        case created(String), duplicate(String)
    }

    /// Checks the signature and the time. Throws 401 for a request that is not the platform's, or too old or new.
    package static func verify(body: [UInt8], timestamp: String?, signature: String?, secret: String, now: Date) throws {
        guard let timestamp, let seconds = Double(timestamp), let signature, signature.hasPrefix("sha256=") else {
            throw KesuError(.unauthenticated, "The request is not signed (X-Kesu-Timestamp, X-Kesu-Signature: sha256=…).")
        }
        guard abs(now.timeIntervalSince1970 - seconds) <= window else {
            throw KesuError(.unauthenticated, "The request's timestamp is more than five minutes from ours; it is refused as a replay.")
        }
        let mac = HMAC<SHA256>.authenticationCode(for: Array(timestamp.utf8) + Array(".".utf8) + body,
                                                  using: SymmetricKey(data: Data(secret.utf8)))
        let expected = Array(hex(mac).utf8), given = Array(signature.dropFirst(7).lowercased().utf8)
        // Compared in constant time, so the answer's timing tells nothing about the right signature.
        guard expected.count == given.count, zip(expected, given).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else {
            throw KesuError(.unauthenticated, "The signature does not match.")
        }
    }

    /// Records the case as a complaint, or answers with the one its case id made before.
    package func take(_ body: [UInt8], source: String) async throws -> Outcome {
        let channel = "platform:" + source
        let item: Case
        do { item = try JSONDecoder().decode(Case.self, from: Data(body)) } catch {
            throw KesuError.invalid("The body is not a platform case (caseId, customer {name, phone}, description).")
        }
        let caseID = item.caseId.trimmed
        guard (1...100).contains(caseID.count) else { throw KesuError.invalid("caseId must be 1 to 100 characters.") }
        if let earlier = try await InboundStore.find(channel: channel, externalID: caseID, on: db), let id = earlier.complaintID,
           let complaint = try await ComplaintModel.find(id, on: db) {
            return .duplicate(complaint.number)
        }
        let draft = ComplaintDraft(channel: .platform, customerName: item.customer.name, customerPhone: item.customer.phone,
                                   customerEmail: item.customer.email, waybillNumbers: item.waybillNumbers ?? [],
                                   description: item.description, category: item.category.flatMap(ComplaintCategory.init(rawValue:)))
        let services = services
        let orderID = item.orderId.map { String($0.prefix(100)) }
        let actor = Actor(userID: UUID(uuid: (0, 0, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0x9a, 0x7f)), username: source,
                          displayName: "平台 " + source, role: .system, unitID: MailIntake.gateway.unitID, unitKind: .hq,
                          unitPath: UnitPath(rawValue: "/"), tokenID: nil, standsFor: .integration(.channel(.platform)))
        let complaint = try await ComplaintService(services: services, db: db).record(
            draft, idempotencyKey: channel + ":" + caseID, by: actor) { complaint, tx in
            let id = try complaint.requireID()
            try await InboundStore.record(id: services.ids.next(), channel: channel, externalID: caseID, complaintID: id,
                                          sender: source, outcome: "stored", reason: nil, at: services.now(), on: tx)
            var fields = ["source": source, "caseId": caseID]
            if let orderID { fields["orderId"] = orderID }
            try await ComplaintStore.append([ComplaintEventModel(
                id: services.ids.next(), complaintID: id, at: services.now(), actorID: nil, actorName: actor.displayName,
                kind: "platform_case", customerVisible: false, note: nil, after: fields)], on: tx)
        }
        return .created(complaint.number)
    }
}

/// `POST /api/v1/intake/{source}` — the webhook itself: the raw body is what the signature covers.
struct PlatformWebhookController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.on(.POST, "api", "v1", "intake", ":source", body: .collect(maxSize: ByteCount(value: 1 << 20)), use: take)
    }

    struct Answer: Content { var number: String; var duplicate: Bool }

    @Sendable func take(req: Request) async throws -> Response {
        let source = req.parameters.get("source") ?? ""
        guard let secret = req.application.kesu.config.platformSecrets[source] else {
            throw KesuError.notFound("No platform \(source.prefix(40)) sends complaints here.")
        }
        let body = req.body.data.map { Array($0.readableBytesView) } ?? []
        let services = req.application.kesu
        try PlatformIntake.verify(body: body, timestamp: req.headers.first(name: "X-Kesu-Timestamp"),
                                  signature: req.headers.first(name: "X-Kesu-Signature"), secret: secret, now: services.now())
        switch try await PlatformIntake(services: services, db: req.db).take(body, source: source) {
        case .created(let number):
            return try await Answer(number: number, duplicate: false).encodeResponse(status: .created, for: req)
        case .duplicate(let number):
            return try await Answer(number: number, duplicate: true).encodeResponse(status: .ok, for: req)
        }
    }
}
