import FluentKit

struct CreateComplaintWaybill: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("complaint_waybills")
            .id()
            .field("complaint_id", .uuid, .required, .references("complaints", "id"))
            .field("waybill", .string, .required)
            .create()
        try await database.createIndex("complaint_waybills_waybill", on: "complaint_waybills", "waybill")
        try await database.createIndex("complaint_waybills_complaint", on: "complaint_waybills", "complaint_id")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("complaint_waybills").delete()
    }
}
