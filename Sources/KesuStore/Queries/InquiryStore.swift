import FluentKit
import Foundation
import KesuCore
import SQLKit

/// One question put to a unit about a complaint (调查任务) and its answer.
package struct InquiryRow: Sendable {
    package var id: UUID
    package var complaintID: UUID
    package var complaintNumber: String?
    package var clockID: UUID
    package var askedUnitID: UUID
    package var askedUnitPath: String
    package var askedUnitName: String?
    package var askedUnitCode: String?
    package var question: String
    package var askedBy: UUID
    package var askedByName: String
    package var askedAt: Date
    package var dueAt: Date
    /// `open`, `answered` or `cancelled` (the complaint was closed first).
    package var state: String
    package var answer: String?
    package var answeredByName: String?
    package var answeredAt: Date?

    package init(id: UUID, complaintID: UUID, clockID: UUID, askedUnitID: UUID, askedUnitPath: String, question: String,
                 askedBy: UUID, askedByName: String, askedAt: Date, dueAt: Date) {
        self.id = id
        self.complaintID = complaintID
        self.clockID = clockID
        self.askedUnitID = askedUnitID
        self.askedUnitPath = askedUnitPath
        self.question = question
        self.askedBy = askedBy
        self.askedByName = askedByName
        self.askedAt = askedAt
        self.dueAt = dueAt
        self.state = "open"
    }
}

package enum InquiryStore {
    static let columns = [
        "id", "complaint_id", "clock_id", "asked_unit_id", "asked_unit_path", "question", "asked_by", "asked_by_name",
        "asked_at", "due_at", "state", "answer", "answered_by_name", "answered_at",
    ]
    static let selected = columns.map { "i.\($0)" }.joined(separator: ", ") + ", u.name AS unit_name, u.code AS unit_code, c.number"

    package static func insert(_ q: InquiryRow, on db: any Database) async throws {
        try await BulkInsert.rows(into: "inquiries", columns: columns, [[
            q.id, q.complaintID, q.clockID, q.askedUnitID, q.askedUnitPath, q.question, q.askedBy, q.askedByName,
            q.askedAt, q.dueAt, q.state, q.answer, q.answeredByName, q.answeredAt,
        ]], on: db)
    }

    static func decode(_ row: any SQLRow) throws -> InquiryRow {
        var q = InquiryRow(
            id: try row.decode(column: "id", as: UUID.self), complaintID: try row.decode(column: "complaint_id", as: UUID.self),
            clockID: try row.decode(column: "clock_id", as: UUID.self),
            askedUnitID: try row.decode(column: "asked_unit_id", as: UUID.self),
            askedUnitPath: try row.decode(column: "asked_unit_path", as: String.self),
            question: try row.decode(column: "question", as: String.self),
            askedBy: try row.decode(column: "asked_by", as: UUID.self),
            askedByName: try row.decode(column: "asked_by_name", as: String.self),
            askedAt: try row.decode(column: "asked_at", as: Date.self), dueAt: try row.decode(column: "due_at", as: Date.self))
        q.state = try row.decode(column: "state", as: String.self)
        q.answer = try row.decode(column: "answer", as: String?.self)
        q.answeredByName = try row.decode(column: "answered_by_name", as: String?.self)
        q.answeredAt = try row.decode(column: "answered_at", as: Date?.self)
        q.askedUnitName = try row.decode(column: "unit_name", as: String?.self)
        q.askedUnitCode = try row.decode(column: "unit_code", as: String?.self)
        q.complaintNumber = try row.decode(column: "number", as: String?.self)
        return q
    }

    /// A complaint's questions, oldest first.
    package static func list(complaintID: UUID, on db: any Database) async throws -> [InquiryRow] {
        try await db.sql.raw("""
            SELECT \(unsafeRaw: selected) FROM inquiries i
            JOIN org_units u ON u.id = i.asked_unit_id JOIN complaints c ON c.id = i.complaint_id
            WHERE i.complaint_id = \(bind: complaintID) ORDER BY i.asked_at, i.id
            """).all().map(decode)
    }

    /// The open questions put to the unit at `path` — and, with `subtree`, to the units below it — soonest due first.
    package static func open(forUnitPath path: String, subtree: Bool, limit: Int, on db: any Database) async throws
        -> [InquiryRow]
    {
        let match: SQLQueryString = subtree
            ? "i.asked_unit_path LIKE \(bind: path + "%")" : "i.asked_unit_path = \(bind: path)"
        return try await db.sql.raw("""
            SELECT \(unsafeRaw: selected) FROM inquiries i
            JOIN org_units u ON u.id = i.asked_unit_id JOIN complaints c ON c.id = i.complaint_id
            WHERE i.state = 'open' AND \(match) ORDER BY i.due_at, i.id LIMIT \(bind: limit)
            """).all().map(decode)
    }

    /// The units asked about the complaint (each may read it).
    package static func askedUnits(complaintID: UUID, on db: any Database) async throws -> [String] {
        try await db.sql.raw("""
            SELECT DISTINCT asked_unit_path FROM inquiries WHERE complaint_id = \(bind: complaintID)
            """).all().map { try $0.decode(column: "asked_unit_path", as: String.self) }
    }

    /// Records the answer to an open question; false when it was answered (or cancelled) already.
    package static func answer(_ id: UUID, complaintID: UUID, text: String, by name: String, at now: Date,
                               on db: any Database) async throws -> Bool {
        try await db.sql.raw("""
            UPDATE inquiries SET state = 'answered', answer = \(bind: text), answered_by_name = \(bind: name),
                answered_at = \(bind: now)
            WHERE id = \(bind: id) AND complaint_id = \(bind: complaintID) AND state = 'open'
            RETURNING id
            """).all().count == 1
    }

    /// Cancels a complaint's open questions (it is being closed); returns their clock ids.
    package static func cancelOpen(complaintID: UUID, on db: any Database) async throws -> [UUID] {
        try await db.sql.raw("""
            UPDATE inquiries SET state = 'cancelled'
            WHERE complaint_id = \(bind: complaintID) AND state = 'open'
            RETURNING clock_id
            """).all().map { try $0.decode(column: "clock_id", as: UUID.self) }
    }
}
