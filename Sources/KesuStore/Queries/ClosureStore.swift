import FluentKit
import Foundation
import KesuCore
import SQLKit

/// One entry of the editable root-cause list (根因); a systemic one asks for a rectification action on closing.
package struct RootCauseRow: Sendable, Equatable {
    package var code: String
    package var name: String
    package var systemic: Bool
    package var active: Bool
    package var sortOrder: Int

    package init(code: String, name: String, systemic: Bool, active: Bool, sortOrder: Int) {
        self.code = code
        self.name = name
        self.systemic = systemic
        self.active = active
        self.sortOrder = sortOrder
    }
}

package enum RootCauseStore {
    package static func list(activeOnly: Bool, on db: any Database) async throws -> [RootCauseRow] {
        try await db.sql.raw("""
            SELECT code, name, systemic, active, sort_order FROM root_causes
            \(unsafeRaw: activeOnly ? "WHERE active = \(true)" : "") ORDER BY sort_order, code
            """).all().map { row in
            RootCauseRow(code: try row.decode(column: "code", as: String.self),
                         name: try row.decode(column: "name", as: String.self),
                         systemic: try row.decode(column: "systemic", as: Bool.self),
                         active: try row.decode(column: "active", as: Bool.self),
                         sortOrder: try row.decode(column: "sort_order", as: Int.self))
        }
    }

    package static func insert(_ cause: RootCauseRow, on db: any Database) async throws {
        try await BulkInsert.rows(into: "root_causes", columns: ["code", "name", "systemic", "active", "sort_order"],
                                  [[cause.code, cause.name, cause.systemic, cause.active, cause.sortOrder]], on: db)
    }

    package static func update(_ cause: RootCauseRow, on db: any Database) async throws {
        try await db.sql.update("root_causes").set("name", to: cause.name).set("systemic", to: cause.systemic)
            .set("active", to: cause.active).where("code", .equal, cause.code).run()
    }
}

/// A rectification action (整改) opened when a complaint closed with a systemic root cause.
package struct RectificationRow: Sendable {
    package var id: UUID
    package var complaintID: UUID
    package var complaintNumber: String?
    package var rootCause: String
    package var action: String
    package var ownerUnitID: UUID
    package var ownerUnitPath: String
    package var ownerUnitName: String?
    package var dueAt: Date
    /// `open`, `done` (the owner says it is done) or `verified`.
    package var state: String
    package var createdByName: String
    package var createdAt: Date
    package var doneNote: String?
    package var doneBy: UUID?
    package var doneByName: String?
    package var doneAt: Date?
    package var verifiedByName: String?
    package var verifiedAt: Date?

    package init(id: UUID, complaintID: UUID, rootCause: String, action: String, ownerUnitID: UUID, ownerUnitPath: String,
                 dueAt: Date, createdByName: String, createdAt: Date) {
        self.id = id
        self.complaintID = complaintID
        self.rootCause = rootCause
        self.action = action
        self.ownerUnitID = ownerUnitID
        self.ownerUnitPath = ownerUnitPath
        self.dueAt = dueAt
        self.state = "open"
        self.createdByName = createdByName
        self.createdAt = createdAt
    }
}

package enum RectificationStore {
    static let columns = [
        "id", "complaint_id", "root_cause", "action", "owner_unit_id", "owner_unit_path", "due_at", "state",
        "created_by_name", "created_at", "done_note", "done_by", "done_by_name", "done_at", "verified_by_name",
        "verified_at",
    ]
    static let selected = columns.map { "r.\($0)" }.joined(separator: ", ") + ", u.name AS unit_name, c.number"
    static let from = "rectifications r JOIN org_units u ON u.id = r.owner_unit_id JOIN complaints c ON c.id = r.complaint_id"

    package static func insert(_ r: RectificationRow, on db: any Database) async throws {
        try await BulkInsert.rows(into: "rectifications", columns: columns, [[
            r.id, r.complaintID, r.rootCause, r.action, r.ownerUnitID, r.ownerUnitPath, r.dueAt, r.state, r.createdByName,
            r.createdAt, r.doneNote, r.doneBy, r.doneByName, r.doneAt, r.verifiedByName, r.verifiedAt,
        ]], on: db)
    }

    static func decode(_ row: any SQLRow) throws -> RectificationRow {
        var r = RectificationRow(
            id: try row.decode(column: "id", as: UUID.self), complaintID: try row.decode(column: "complaint_id", as: UUID.self),
            rootCause: try row.decode(column: "root_cause", as: String.self),
            action: try row.decode(column: "action", as: String.self),
            ownerUnitID: try row.decode(column: "owner_unit_id", as: UUID.self),
            ownerUnitPath: try row.decode(column: "owner_unit_path", as: String.self),
            dueAt: try row.decode(column: "due_at", as: Date.self),
            createdByName: try row.decode(column: "created_by_name", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Date.self))
        r.state = try row.decode(column: "state", as: String.self)
        r.doneNote = try row.decode(column: "done_note", as: String?.self)
        r.doneBy = try row.decode(column: "done_by", as: UUID?.self)
        r.doneByName = try row.decode(column: "done_by_name", as: String?.self)
        r.doneAt = try row.decode(column: "done_at", as: Date?.self)
        r.verifiedByName = try row.decode(column: "verified_by_name", as: String?.self)
        r.verifiedAt = try row.decode(column: "verified_at", as: Date?.self)
        r.ownerUnitName = try row.decode(column: "unit_name", as: String?.self)
        r.complaintNumber = try row.decode(column: "number", as: String?.self)
        return r
    }

    /// Actions in `states` owned by units at or under `path`, soonest due first.
    package static func list(states: [String], within scope: VisibilityScope, limit: Int, on db: any Database) async throws
        -> [RectificationRow]
    {
        try await db.sql.raw("""
            SELECT \(unsafeRaw: selected) FROM \(unsafeRaw: from)
            WHERE r.state IN (\(binds: states)) AND \(scope.condition(owner: "r.owner_unit_path", complaint: "r.complaint_id"))
            ORDER BY r.due_at, r.id LIMIT \(bind: limit)
            """).all().map(decode)
    }

    package static func list(complaintID: UUID, on db: any Database) async throws -> [RectificationRow] {
        try await db.sql.raw("""
            SELECT \(unsafeRaw: selected) FROM \(unsafeRaw: from) WHERE r.complaint_id = \(bind: complaintID)
            ORDER BY r.created_at, r.id
            """).all().map(decode)
    }

    package static func find(_ id: UUID, on db: any Database) async throws -> RectificationRow? {
        try await db.sql.raw("SELECT \(unsafeRaw: selected) FROM \(unsafeRaw: from) WHERE r.id = \(bind: id)")
            .first().map(decode)
    }

    /// Moves an action from `from` to `to`, setting the given columns; false when it was not in `from`.
    package static func move(_ id: UUID, from: String, to: String, set columns: [(String, any Encodable & Sendable)],
                             on db: any Database) async throws -> Bool {
        var update = try db.sql.update("rectifications").set("state", to: to)
        for (column, value) in columns { update = update.set(SQLIdentifier(column), to: SQLBind(value)) }
        return try await update.where("id", .equal, SQLBind(id)).where("state", .equal, SQLBind(from))
            .returning("id").all().count == 1
    }
}

/// A closed complaint kept as a typical case (典型案例) with its lesson.
package struct TypicalCaseRow: Sendable {
    package var complaintID: UUID
    package var number: String
    package var category: String
    package var lesson: String
    package var markedByName: String
    package var markedAt: Date
    package var description: String
    package var resolutionSummary: String?
    package var responsibleParty: String?
    package var rootCause: String?
}

package enum TypicalCaseStore {
    package static func upsert(complaintID: UUID, category: String, lesson: String, by name: String, at now: Date,
                               on db: any Database) async throws {
        try await db.sql.raw("""
            INSERT INTO typical_cases (complaint_id, category, lesson, marked_by_name, marked_at)
            VALUES (\(bind: complaintID), \(bind: category), \(bind: lesson), \(bind: name), \(bind: now))
            ON CONFLICT (complaint_id) DO UPDATE SET category = excluded.category, lesson = excluded.lesson,
                marked_by_name = excluded.marked_by_name, marked_at = excluded.marked_at
            """).run()
    }

    package static func remove(complaintID: UUID, on db: any Database) async throws -> Bool {
        try await db.sql.raw("DELETE FROM typical_cases WHERE complaint_id = \(bind: complaintID) RETURNING complaint_id")
            .all().count == 1
    }

    /// The newest `limit` cases, of one category when given.
    package static func list(category: String?, limit: Int, on db: any Database) async throws -> [TypicalCaseRow] {
        let filter: SQLQueryString = category.map { "WHERE t.category = \(bind: $0)" } ?? ""
        return try await db.sql.raw("""
            SELECT t.complaint_id, c.number, t.category, t.lesson, t.marked_by_name, t.marked_at, c.description,
                c.resolution_summary, c.responsible_party, c.root_cause, cu.name AS customer_name
            FROM typical_cases t JOIN complaints c ON c.id = t.complaint_id
            JOIN customers cu ON cu.id = c.customer_id \(filter)
            ORDER BY t.marked_at DESC, t.complaint_id LIMIT \(bind: limit)
            """).all().map { row in
            // Teaching material for every unit: the customer is taken out of what they and we wrote.
            let customer = try row.decode(column: "customer_name", as: String?.self)
            return TypicalCaseRow(complaintID: try row.decode(column: "complaint_id", as: UUID.self),
                           number: try row.decode(column: "number", as: String.self),
                           category: try row.decode(column: "category", as: String.self),
                           lesson: try row.decode(column: "lesson", as: String.self),
                           markedByName: try row.decode(column: "marked_by_name", as: String.self),
                           markedAt: try row.decode(column: "marked_at", as: Date.self),
                           description: Anonymiser.anonymise(try row.decode(column: "description", as: String.self),
                                                             customerName: customer),
                           resolutionSummary: try row.decode(column: "resolution_summary", as: String?.self)
                               .map { Anonymiser.anonymise($0, customerName: customer) },
                           responsibleParty: try row.decode(column: "responsible_party", as: String?.self),
                           rootCause: try row.decode(column: "root_cause", as: String?.self))
        }
    }

    package static func find(complaintID: UUID, on db: any Database) async throws -> (lesson: String, by: String)? {
        let row = try await db.sql.raw("""
            SELECT lesson, marked_by_name FROM typical_cases WHERE complaint_id = \(bind: complaintID)
            """).first()
        return try row.map { (try $0.decode(column: "lesson", as: String.self), try $0.decode(column: "marked_by_name", as: String.self)) }
    }
}
