import FluentKit

struct CreateIdempotencyKey: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("idempotency_keys")
            .id()
            .field("user_id", .uuid, .required)
            .field("key", .string, .required)
            .field("fingerprint", .string, .required)
            .field("complaint_id", .uuid, .required, .references("complaints", "id"))
            .field("created_at", .datetime, .required)
            .unique(on: "user_id", "key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("idempotency_keys").delete()
    }
}
