import FluentKit

struct CreateComplaintEvent: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("complaint_events")
            .id()
            .field("complaint_id", .uuid, .required, .references("complaints", "id"))
            .field("at", .datetime, .required)
            .field("actor_id", .uuid)
            .field("actor_name", .string)
            .field("kind", .string, .required)
            .field("customer_visible", .bool, .required)
            .field("note", .string)
            .field("before", .string)
            .field("after", .string)
            .create()
        try await database.createIndex("complaint_events_complaint_at", on: "complaint_events", "complaint_id", "at")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("complaint_events").delete()
    }
}
