import FluentKit

struct CreateAuthToken: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("auth_tokens")
            .id()
            .field("token_hash", .string, .required)
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("expires_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()
        try await database.createIndex("auth_tokens_user", on: "auth_tokens", "user_id")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("auth_tokens").delete()
    }
}
