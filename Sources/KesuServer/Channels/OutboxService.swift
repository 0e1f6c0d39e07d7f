import Fluent
import Foundation
import KesuCore
import KesuStore

/// The outbox as admins see it: every message to customers with its state, and sending a dead one again.
package struct OutboxService: Sendable {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    package static let states = ["queued", "held", "sending", "sent", "delivered", "undelivered", "failed", "dead"]

    /// Counts by state, and the newest messages in one state (or all), each with its complaint's number.
    package func overview(state: String?, by actor: Actor, limit: Int = 200) async throws
        -> (counts: [String: Int], messages: [(OutboundRow, String?)]) {
        try actor.require(.manageJobs)
        let rows = try await MessageStore.list(state: state.flatMap { Self.states.contains($0) ? $0 : nil }, limit: limit, on: db)
        let ids = Array(Set(rows.compactMap(\.complaintID)))
        let numbers = ids.isEmpty ? [:] : try await ComplaintModel.query(on: db).filter(\.$id ~~ ids).all()
            .reduce(into: [UUID: String]()) { $0[$1.id ?? UUID()] = $1.number }
        return (try await MessageStore.counts(on: db), rows.map { ($0, $0.complaintID.flatMap { numbers[$0] }) })
    }

    /// Queues a message given up (or reported not delivered) again with a full set of attempts; its complaint's
    /// timeline says so.
    package func revive(_ id: UUID, by actor: Actor) async throws {
        try actor.require(.manageJobs)
        let now = services.now()
        try await services.writer.write(on: db) { tx in
            guard let row = try await MessageStore.revive(id, at: now, on: tx) else {
                throw KesuError.notFound("No message \(id) that was given up or not delivered.")
            }
            guard let complaintID = row.complaintID else { return }
            try await ComplaintStore.append([ComplaintEventModel(
                id: services.ids.next(), complaintID: complaintID, at: now, actorID: actor.userID, actorName: actor.displayName,
                kind: "message_queued", customerVisible: false, note: nil,
                after: ["channel": row.channel, "notice": row.notice, "to": CustomerNotices.mask(row.recipient),
                        "message": row.id.uuidString])], on: tx)
        }
    }
}
