import FluentKit

struct CreateCustomer: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("customers")
            .id()
            .field("phone", .string, .required)
            .field("name", .string, .required)
            .field("email", .string)
            .field("kind", .string, .required)
            .field("complaint_count", .int, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "phone")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("customers").delete()
    }
}
