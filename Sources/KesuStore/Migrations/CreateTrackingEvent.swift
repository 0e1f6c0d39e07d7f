import FluentKit

struct CreateTrackingEvent: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("tracking_events")
            .id()
            .field("shipment_id", .uuid, .required, .references("shipments", "id"))
            .field("at", .datetime, .required)
            .field("kind", .string, .required)
            .field("description", .string)
            .field("location", .string)
            .create()
        try await database.createIndex("tracking_events_shipment_at", on: "tracking_events", "shipment_id", "at")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("tracking_events").delete()
    }
}
