import FluentKit

struct CreateShipment: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("shipments")
            .id()
            .field("waybill", .string, .required)
            .field("service_fee_fen", .int64, .required)
            .field("insured_value_fen", .int64)
            .field("item_kind", .string, .required)
            .field("origin_unit_id", .uuid, .references("org_units", "id"))
            .field("destination_unit_id", .uuid, .references("org_units", "id"))
            .field("promised_at", .datetime)
            .field("updated_at", .datetime, .required)
            .unique(on: "waybill")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("shipments").delete()
    }
}
