import Fluent
import Foundation
import KesuCore
import KesuStore

/// 发件箱 — what a use case wants done after it commits goes into the work queue in the same transaction: it is
/// done once the transaction commits, and never if it rolls back.
package enum Outbox {
    package static let notifyKind = "notify"

    /// In-app notifications, delivered by the work queue. Each keeps its id, so a delivery that runs twice adds it once.
    package static func notify(_ notifications: [NotificationRow], services: KesuServices, on tx: any Database)
        async throws
    {
        guard let first = notifications.first else { return }
        let payload = NotifyPayload(items: notifications.map {
            .init(id: $0.id, userID: $0.userID, complaintID: $0.complaintID, kind: $0.kind, params: $0.params, text: $0.text,
                  createdAt: $0.createdAt)
        })
        let json = String(decoding: try JSONEncoder.jobs.encode(payload), as: UTF8.self)
        let now = services.now()
        try await JobStore.enqueue([JobRow(id: services.ids.next(), kind: notifyKind, idempotencyKey: "notify:\(first.id)",
                                           payload: json, runAt: now, createdAt: now)], on: tx)
    }
}

struct NotifyPayload: Codable {
    struct Item: Codable {
        var id: UUID, userID: UUID, complaintID: UUID?, kind: String, params: [String: String]?, text: String
        var createdAt: Date
    }
    var items: [Item]
}

/// Delivers in-app notifications: the rows appear in the users' inboxes.
struct NotifyHandler: JobHandler {
    func perform(_ job: JobRow, services: KesuServices, on tx: any Database) async throws {
        guard let payload = try? JSONDecoder.jobs.decode(NotifyPayload.self, from: Data(job.payload.utf8)) else {
            throw JobFailure.permanent("the notification payload cannot be read")
        }
        try await NotificationStore.insert(payload.items.map {
            NotificationRow(id: $0.id, userID: $0.userID, complaintID: $0.complaintID, kind: $0.kind, params: $0.params,
                            text: $0.text, createdAt: $0.createdAt)
        }, on: tx)
    }
}

extension JSONEncoder {
    /// How job payloads are written: times in milliseconds, keys sorted.
    package static var jobs: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}

extension JSONDecoder {
    package static var jobs: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }
}
