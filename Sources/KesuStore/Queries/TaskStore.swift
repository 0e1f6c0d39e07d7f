import FluentKit
import Foundation
import KesuCore
import SQLKit

/// One execution task as stored.
package struct TaskRow: Sendable {
    package var id: UUID
    package var complaintID: UUID
    package var proposalID: UUID?
    package var kind: TaskKind
    package var title: String
    package var ownerID: UUID?
    package var ownerName: String
    package var dueAt: Date
    package var done: Bool
    package var createdAt: Date
    package var doneAt: Date?
    package var doneByName: String?
    package var note: String?

    package init(id: UUID, complaintID: UUID, proposalID: UUID?, kind: TaskKind, title: String, ownerID: UUID?,
                 ownerName: String, dueAt: Date, createdAt: Date) {
        self.id = id
        self.complaintID = complaintID
        self.proposalID = proposalID
        self.kind = kind
        self.title = title
        self.ownerID = ownerID
        self.ownerName = ownerName
        self.dueAt = dueAt
        self.done = false
        self.createdAt = createdAt
    }
}

package enum TaskStore {
    static let columns = [
        "id", "complaint_id", "proposal_id", "kind", "title", "owner_id", "owner_name", "due_at", "state", "created_at",
        "done_at", "done_by_name", "note",
    ]

    package static func insert(_ tasks: [TaskRow], on db: any Database) async throws {
        try await BulkInsert.rows(into: "complaint_tasks", columns: columns, tasks.map { t in
            [t.id, t.complaintID, t.proposalID, t.kind.rawValue, t.title, t.ownerID, t.ownerName, t.dueAt,
             t.done ? "done" : "open", t.createdAt, t.doneAt, t.doneByName, t.note]
        }, on: db)
    }

    package static func list(complaintID: UUID, on db: any Database) async throws -> [TaskRow] {
        try await db.sql.select().columns(columns.map { SQLColumn($0) }).from("complaint_tasks")
            .where("complaint_id", .equal, SQLBind(complaintID)).orderBy("created_at").orderBy("id")
            .all().map { row in
                guard let kind = TaskKind(rawValue: try row.decode(column: "kind", as: String.self)) else {
                    throw KesuStoreError("unknown task kind")
                }
                var t = TaskRow(
                    id: try row.decode(column: "id", as: UUID.self),
                    complaintID: try row.decode(column: "complaint_id", as: UUID.self),
                    proposalID: try row.decode(column: "proposal_id", as: UUID?.self), kind: kind,
                    title: try row.decode(column: "title", as: String.self),
                    ownerID: try row.decode(column: "owner_id", as: UUID?.self),
                    ownerName: try row.decode(column: "owner_name", as: String.self),
                    dueAt: try row.decode(column: "due_at", as: Date.self),
                    createdAt: try row.decode(column: "created_at", as: Date.self))
                t.done = try row.decode(column: "state", as: String.self) == "done"
                t.doneAt = try row.decode(column: "done_at", as: Date?.self)
                t.doneByName = try row.decode(column: "done_by_name", as: String?.self)
                t.note = try row.decode(column: "note", as: String?.self)
                return t
            }
    }

    /// Marks an open task done; false when it was done already (or is not on this complaint).
    package static func complete(_ id: UUID, complaintID: UUID, by name: String, note: String?, at now: Date,
                                 on db: any Database) async throws -> Bool
    {
        try await db.sql.raw("""
            UPDATE complaint_tasks SET state = 'done', done_at = \(bind: now), done_by_name = \(bind: name),
                note = \(bind: note)
            WHERE id = \(bind: id) AND complaint_id = \(bind: complaintID) AND state = 'open'
            RETURNING id
            """).all().count == 1
    }

    package static func openCount(complaintID: UUID, on db: any Database) async throws -> Int {
        let row = try await db.sql.raw("""
            SELECT COUNT(*) AS n FROM complaint_tasks WHERE complaint_id = \(bind: complaintID) AND state = 'open'
            """).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }
}
