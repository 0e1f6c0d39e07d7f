import FluentKit
import Foundation
import KesuCore
import SQLKit

/// One proposal as stored.
package struct ProposalRow: Sendable {
    package var id: UUID
    package var complaintID: UUID
    package var kind: ProposalKind
    package var amountFen: Int64
    package var description: String
    package var state: ProposalState
    package var proposedBy: UUID
    package var proposedByName: String
    package var proposedAt: Date
    package var approvedBy: UUID?
    package var approvedByName: String?
    package var approvedAt: Date?
    package var offeredAt: Date?
    package var decidedAt: Date?
    package var decisionReason: String?

    package init(id: UUID, complaintID: UUID, kind: ProposalKind, amountFen: Int64, description: String,
                 state: ProposalState, proposedBy: UUID, proposedByName: String, proposedAt: Date) {
        self.id = id
        self.complaintID = complaintID
        self.kind = kind
        self.amountFen = amountFen
        self.description = description
        self.state = state
        self.proposedBy = proposedBy
        self.proposedByName = proposedByName
        self.proposedAt = proposedAt
    }
}

package enum ProposalStore {
    static let columns = [
        "id", "complaint_id", "kind", "amount_fen", "description", "state", "proposed_by", "proposed_by_name",
        "proposed_at", "approved_by", "approved_by_name", "approved_at", "offered_at", "decided_at", "decision_reason",
    ]

    package static func insert(_ p: ProposalRow, on db: any Database) async throws {
        try await BulkInsert.rows(into: "proposals", columns: columns, [[
            p.id, p.complaintID, p.kind.rawValue, p.amountFen, p.description, p.state.rawValue, p.proposedBy,
            p.proposedByName, p.proposedAt, p.approvedBy, p.approvedByName, p.approvedAt, p.offeredAt, p.decidedAt,
            p.decisionReason,
        ]], on: db)
    }

    static func decode(_ row: any SQLRow) throws -> ProposalRow {
        guard let kind = ProposalKind(rawValue: try row.decode(column: "kind", as: String.self)),
              let state = ProposalState(rawValue: try row.decode(column: "state", as: String.self))
        else { throw KesuStoreError("unknown proposal kind or state") }
        var p = ProposalRow(
            id: try row.decode(column: "id", as: UUID.self),
            complaintID: try row.decode(column: "complaint_id", as: UUID.self), kind: kind,
            amountFen: try row.decode(column: "amount_fen", as: Int64.self),
            description: try row.decode(column: "description", as: String.self), state: state,
            proposedBy: try row.decode(column: "proposed_by", as: UUID.self),
            proposedByName: try row.decode(column: "proposed_by_name", as: String.self),
            proposedAt: try row.decode(column: "proposed_at", as: Date.self))
        p.approvedBy = try row.decode(column: "approved_by", as: UUID?.self)
        p.approvedByName = try row.decode(column: "approved_by_name", as: String?.self)
        p.approvedAt = try row.decode(column: "approved_at", as: Date?.self)
        p.offeredAt = try row.decode(column: "offered_at", as: Date?.self)
        p.decidedAt = try row.decode(column: "decided_at", as: Date?.self)
        p.decisionReason = try row.decode(column: "decision_reason", as: String?.self)
        return p
    }

    /// A complaint's proposals in the order they were made.
    package static func list(complaintID: UUID, on db: any Database) async throws -> [ProposalRow] {
        try await db.sql.select().columns(columns.map { SQLColumn($0) }).from("proposals")
            .where("complaint_id", .equal, SQLBind(complaintID)).orderBy("proposed_at").orderBy("id")
            .all().map(decode)
    }

    package static func find(_ id: UUID, on db: any Database) async throws -> ProposalRow? {
        try await db.sql.select().columns(columns.map { SQLColumn($0) }).from("proposals")
            .where("id", .equal, SQLBind(id)).first().map(decode)
    }

    /// Approves a proposal still waiting: one conditional UPDATE, so of several approvers at the same moment
    /// exactly one changes the row (the others find it no longer waiting). Returns whether this call did.
    package static func approve(_ id: UUID, by user: UUID, name: String, at now: Date, on db: any Database)
        async throws -> Bool
    {
        let rows = try await db.sql.raw("""
            UPDATE proposals SET state = 'ready', approved_by = \(bind: user), approved_by_name = \(bind: name),
                approved_at = \(bind: now)
            WHERE id = \(bind: id) AND state = 'pending_approval'
            RETURNING id
            """).all()
        return rows.count == 1
    }

    /// Moves a proposal from `from` to `to`, only if it is still in `from`. Returns whether it moved.
    package static func move(_ id: UUID, from: ProposalState, to: ProposalState, offeredAt: Date? = nil,
                             decidedAt: Date? = nil, reason: String? = nil, on db: any Database) async throws -> Bool
    {
        let rows = try await db.sql.raw("""
            UPDATE proposals SET state = \(bind: to.rawValue),
                offered_at = COALESCE(\(bind: offeredAt), offered_at), decided_at = COALESCE(\(bind: decidedAt), decided_at),
                decision_reason = COALESCE(\(bind: reason), decision_reason)
            WHERE id = \(bind: id) AND state = \(bind: from.rawValue)
            RETURNING id
            """).all()
        return rows.count == 1
    }

    package static func authorityLimits(on db: any Database) async throws -> AuthorityLimits {
        var limits: [Role: Int64?] = [:]
        for row in try await db.sql.raw("SELECT role, limit_fen FROM authority_limits").all() {
            if let role = Role(rawValue: try row.decode(column: "role", as: String.self)) {
                limits[role] = .some(try row.decode(column: "limit_fen", as: Int64?.self))
            }
        }
        return AuthorityLimits(limits)
    }

    package static func setAuthorityLimit(_ role: Role, limitFen: Int64?, on db: any Database) async throws {
        try await db.sql.delete(from: "authority_limits").where("role", .equal, SQLBind(role.rawValue)).run()
        try await db.sql.insert(into: "authority_limits").columns("role", "limit_fen")
            .values(SQLBind(role.rawValue), SQLBind(limitFen)).run()
    }
}
