import FluentKit

/// Private links a customer follows a complaint by; only the token's SHA-256 is stored.
struct CreatePortalLink: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("portal_links")
            .id()
            .field("complaint_id", .uuid, .required, .references("complaints", "id"))
            .field("token_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("portal_links").delete()
    }
}
