import FluentKit
import Foundation
import KesuCore
import SQLKit

/// One follow-up attempt (回访).
package struct FollowUpRow: Sendable {
    package var id: UUID
    package var complaintID: UUID
    package var outcome: FollowUpOutcome
    package var comment: String?
    /// `phone` (recorded by staff) or `portal` (answered by the customer).
    package var via: String
    package var recordedBy: String
    package var at: Date

    package init(id: UUID, complaintID: UUID, outcome: FollowUpOutcome, comment: String?, via: String,
                 recordedBy: String, at: Date) {
        self.id = id
        self.complaintID = complaintID
        self.outcome = outcome
        self.comment = comment
        self.via = via
        self.recordedBy = recordedBy
        self.at = at
    }
}

package enum FollowUpStore {
    package static func insert(_ f: FollowUpRow, on db: any Database) async throws {
        try await BulkInsert.rows(into: "follow_ups",
                                  columns: ["id", "complaint_id", "outcome", "comment", "via", "recorded_by", "at"],
                                  [[f.id, f.complaintID, f.outcome.rawValue, f.comment, f.via, f.recordedBy, f.at]], on: db)
    }

    /// When the complaint last entered follow_up: a reopened complaint's new follow-up starts afresh.
    package static func roundStart(complaintID: UUID, on db: any Database) async throws -> Date? {
        let row = try await db.sql.raw("""
            SELECT MAX(at) AS at FROM complaint_events
            WHERE complaint_id = \(bind: complaintID) AND kind = 'status_changed' AND "after" LIKE '%"follow_up"%'
            """).first()
        return try row?.decode(column: "at", as: Date?.self)
    }

    /// A complaint's attempts from `since` on (all when nil), oldest first.
    package static func list(complaintID: UUID, since: Date? = nil, on db: any Database) async throws -> [FollowUpRow] {
        try await db.sql.raw("""
            SELECT id, outcome, comment, via, recorded_by, at FROM follow_ups
            WHERE complaint_id = \(bind: complaintID) AND at >= \(bind: since ?? Date(timeIntervalSince1970: 0))
            ORDER BY at, id
            """).all().compactMap { row in
            guard let outcome = FollowUpOutcome(rawValue: try row.decode(column: "outcome", as: String.self)) else {
                return nil
            }
            return FollowUpRow(id: try row.decode(column: "id", as: UUID.self), complaintID: complaintID, outcome: outcome,
                               comment: try row.decode(column: "comment", as: String?.self),
                               via: try row.decode(column: "via", as: String.self),
                               recordedBy: try row.decode(column: "recorded_by", as: String.self),
                               at: try row.decode(column: "at", as: Date.self))
        }
    }
}
