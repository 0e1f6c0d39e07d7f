import FluentKit

/// The complaints table, with one index per list filter, each ending in the keyset order (received_at, id).
struct CreateComplaint: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("complaints")
            .id()
            .field("number", .string, .required)
            .field("status", .string, .required)
            .field("held_from", .string)
            .field("channel", .string, .required)
            .field("category", .string)
            .field("priority", .string, .required)
            .field("description", .string, .required)
            .field("customer_id", .uuid, .required, .references("customers", "id"))
            .field("assignee_id", .uuid, .references("users", "id"))
            .field("outlet_id", .uuid, .references("org_units", "id"))
            .field("scope_path", .string, .required)
            .field("escalation_level", .int, .required)
            .field("flags", .string, .required)
            .field("waybills", .string, .required)
            .field("resolution_summary", .string)
            .field("responsible_party", .string)
            .field("root_cause", .string)
            .field("received_at", .datetime, .required)
            .field("first_reply_at", .datetime)
            .field("closed_at", .datetime)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "number")
            .create()
        try await database.createIndex("complaints_received", on: "complaints", "received_at", "id")
        for column in ["status", "category", "priority", "channel", "assignee_id", "outlet_id", "customer_id",
                       "scope_path"] {
            try await database.createIndex("complaints_\(column)_received", on: "complaints", column, "received_at", "id")
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("complaints").delete()
    }
}
