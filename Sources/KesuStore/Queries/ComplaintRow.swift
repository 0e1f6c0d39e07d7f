import FluentKit
import Foundation
import SQLKit

/// A complaint with the names the queue shows (customer, assignee, outlet), read in one joined query and
/// decoded column by column: lists decode many rows, and Fluent's reflective model decoding was their main cost.
package struct ComplaintRow: Sendable {
    package var id: UUID
    package var number: String
    package var status: String
    package var heldFrom: String?
    package var channel: String
    package var category: String?
    package var subcategory: String?
    package var priority: String
    package var description: String
    package var escalationLevel: Int
    package var flags: [String]
    package var waybills: [String]
    package var resolutionSummary: String?
    package var responsibleParty: String?
    package var rootCause: String?
    package var receivedAt: Date
    package var dueAt: Date?
    package var dueWarnAt: Date?
    package var dueKind: String?
    package var firstReplyAt: Date?
    package var closedAt: Date?
    package var updatedAt: Date
    package var scopePath: String
    package var customerID: UUID
    package var customerName: String
    package var customerPhone: String
    package var customerEmail: String?
    package var customerKind: String
    package var customerComplaintCount: Int
    package var assigneeUsername: String?
    package var assigneeName: String?
    package var outletCode: String?
    package var outletName: String?
    package var outletKind: String?

    /// The row of a complaint model whose customer, assignee and outlet are loaded.
    package init(_ c: ComplaintModel) throws {
        id = try c.requireID()
        number = c.number
        status = c.status
        heldFrom = c.heldFrom
        channel = c.channel
        category = c.category
        subcategory = c.subcategory
        priority = c.priority
        description = c.description
        escalationLevel = c.escalationLevel
        flags = c.flagList
        waybills = c.waybillList
        resolutionSummary = c.resolutionSummary
        responsibleParty = c.responsibleParty
        rootCause = c.rootCause
        receivedAt = c.receivedAt
        dueAt = c.dueAt
        dueWarnAt = c.dueWarnAt
        dueKind = c.dueKind
        firstReplyAt = c.firstReplyAt
        closedAt = c.closedAt
        updatedAt = c.updatedAt
        scopePath = c.scopePath
        customerID = try c.customer.requireID()
        customerName = c.customer.name
        customerPhone = c.customer.phone
        customerEmail = c.customer.email
        customerKind = c.customer.kind
        customerComplaintCount = c.customer.complaintCount
        assigneeUsername = c.assignee?.username
        assigneeName = c.assignee?.displayName
        outletCode = c.outlet?.code
        outletName = c.outlet?.name
        outletKind = c.outlet?.kind
    }

    init(_ row: any SQLRow) throws {
        func split(_ s: String) -> [String] { s.split(separator: ",").map(String.init) }
        id = try row.decode(column: "id", as: UUID.self)
        number = try row.decode(column: "number", as: String.self)
        status = try row.decode(column: "status", as: String.self)
        heldFrom = try row.decode(column: "held_from", as: String?.self)
        channel = try row.decode(column: "channel", as: String.self)
        category = try row.decode(column: "category", as: String?.self)
        subcategory = try row.decode(column: "subcategory", as: String?.self)
        priority = try row.decode(column: "priority", as: String.self)
        description = try row.decode(column: "description", as: String.self)
        escalationLevel = try row.decode(column: "escalation_level", as: Int.self)
        flags = split(try row.decode(column: "flags", as: String.self))
        waybills = split(try row.decode(column: "waybills", as: String.self))
        resolutionSummary = try row.decode(column: "resolution_summary", as: String?.self)
        responsibleParty = try row.decode(column: "responsible_party", as: String?.self)
        rootCause = try row.decode(column: "root_cause", as: String?.self)
        receivedAt = try row.decode(column: "received_at", as: Date.self)
        dueAt = try row.decode(column: "due_at", as: Date?.self)
        dueWarnAt = try row.decode(column: "due_warn_at", as: Date?.self)
        dueKind = try row.decode(column: "due_kind", as: String?.self)
        firstReplyAt = try row.decode(column: "first_reply_at", as: Date?.self)
        closedAt = try row.decode(column: "closed_at", as: Date?.self)
        updatedAt = try row.decode(column: "updated_at", as: Date.self)
        scopePath = try row.decode(column: "scope_path", as: String.self)
        customerID = try row.decode(column: "customer_id", as: UUID.self)
        customerName = try row.decode(column: "customer_name", as: String.self)
        customerPhone = try row.decode(column: "customer_phone", as: String.self)
        customerEmail = try row.decode(column: "customer_email", as: String?.self)
        customerKind = try row.decode(column: "customer_kind", as: String.self)
        customerComplaintCount = try row.decode(column: "customer_complaints", as: Int.self)
        assigneeUsername = try row.decode(column: "assignee_username", as: String?.self)
        assigneeName = try row.decode(column: "assignee_name", as: String?.self)
        outletCode = try row.decode(column: "outlet_code", as: String?.self)
        outletName = try row.decode(column: "outlet_name", as: String?.self)
        outletKind = try row.decode(column: "outlet_kind", as: String?.self)
    }

    static let complaintColumns = [
        "id", "number", "status", "held_from", "channel", "category", "subcategory", "priority", "description",
        "escalation_level", "flags", "waybills", "resolution_summary", "responsible_party", "root_cause", "received_at",
        "due_at", "due_warn_at", "due_kind", "first_reply_at", "closed_at", "updated_at", "scope_path", "customer_id",
    ]

    /// A select of complaints with the joined names, ready for filters.
    static func select(on sql: any SQLDatabase) -> SQLSelectBuilder {
        var columns: [any SQLExpression] = complaintColumns.map { SQLColumn($0, table: "complaints") }
        let joined: [(String, String, String)] = [
            ("customers", "name", "customer_name"), ("customers", "phone", "customer_phone"),
            ("customers", "email", "customer_email"), ("customers", "kind", "customer_kind"),
            ("customers", "complaint_count", "customer_complaints"),
            ("users", "username", "assignee_username"), ("users", "display_name", "assignee_name"),
            ("org_units", "code", "outlet_code"), ("org_units", "name", "outlet_name"), ("org_units", "kind", "outlet_kind"),
        ]
        columns += joined.map { SQLAlias(SQLColumn($0.1, table: $0.0), as: SQLIdentifier($0.2)) }
        return sql.select()
            .columns(columns)
            .from("complaints")
            .join("customers", on: SQLColumn("id", table: "customers"), .equal, SQLColumn("customer_id", table: "complaints"))
            .join("users", method: SQLJoinMethod.left, on: SQLColumn("id", table: "users"), .equal,
                  SQLColumn("assignee_id", table: "complaints"))
            .join("org_units", method: SQLJoinMethod.left, on: SQLColumn("id", table: "org_units"), .equal,
                  SQLColumn("outlet_id", table: "complaints"))
    }
}
