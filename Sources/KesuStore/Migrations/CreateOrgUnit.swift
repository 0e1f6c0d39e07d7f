import FluentKit

struct CreateOrgUnit: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("org_units")
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("kind", .string, .required)
            .field("parent_id", .uuid, .references("org_units", "id"))
            .field("path", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "code")
            .create()
        try await database.createIndex("org_units_path", on: "org_units", "path")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("org_units").delete()
    }
}
