import FluentKit

/// Evidence files (photos, documents, video), kept in the database so every instance sees them and a backup holds
/// everything.
struct CreateAttachment: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("attachments")
            .id()
            .field("complaint_id", .uuid, .required, .references("complaints", "id"))
            .field("file_name", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int, .required)
            .field("data", .data, .required)
            .field("uploaded_by", .string, .required)
            .field("customer_visible", .bool, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.createIndex("attachments_complaint", on: "attachments", "complaint_id", "created_at")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("attachments").delete()
    }
}
