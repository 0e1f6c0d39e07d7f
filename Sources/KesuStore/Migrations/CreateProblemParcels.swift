import FluentKit
import SQLKit

/// 问题件 — problem parcels with their follow-ups, the editable list of reasons, and the settings the outlet's
/// side reads (the lapse, in days, for now).
struct CreateProblemParcels: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("problem_reasons")
            .field("code", .string, .identifier(auto: false))
            .field("name_zh", .string, .required)
            .field("name_en", .string, .required)
            .field("active", .bool, .required)
            .field("position", .int, .required)
            .create()
        let reasons: [(String, String, String)] = [
            ("address_unknown", "地址不详", "Address unclear"), ("no_answer", "电话无人接", "Phone not answered"),
            ("refused", "拒收", "Refused"), ("damaged_on_arrival", "到件破损", "Damaged on arrival"),
            ("out_of_area", "超区", "Outside the delivery area"), ("rescheduled", "客户要求改约", "Customer asked for another time"),
            ("other", "其他", "Other"),
        ]
        for (position, (code, zh, en)) in reasons.enumerated() {
            try await database.sql.raw("""
                INSERT INTO problem_reasons (code, name_zh, name_en, active, position)
                VALUES (\(bind: code), \(bind: zh), \(bind: en), \(bind: true), \(bind: position))
                """).run()
        }
        try await database.schema("settings")
            .field("key", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .create()
        try await database.schema("problem_parcels")
            .id()
            .field("waybill", .string, .required)
            .field("outlet_id", .uuid, .required, .references("org_units", "id"))
            .field("courier_id", .uuid, .references("org_units", "id"))
            // The unit that owns it for the access policy: the courier's, else the outlet's.
            .field("owner_path", .string, .required)
            .field("reason_code", .string, .required)
            .field("note", .string)
            .field("opened_by_id", .uuid)
            .field("opened_by_name", .string, .required)
            .field("opened_at", .datetime, .required)
            .field("last_contact_at", .datetime, .required)
            .field("follow_ups", .int, .required)
            .field("lapse_at", .datetime, .required)
            .field("lapsed_at", .datetime)
            .field("settled_at", .datetime)
            .field("outcome", .string)
            .field("complaint_id", .uuid, .references("complaints", "id"))
            .field("neglected", .bool, .required)
            .create()
        // Lists of open parcels, overdue first then oldest, within a unit's subtree; and a waybill's open parcel.
        try await database.sql.raw("""
            CREATE INDEX problem_parcels_open ON problem_parcels (lapse_at, id) WHERE settled_at IS NULL
            """).run()
        try await database.createIndex("problem_parcels_owner", on: "problem_parcels", "owner_path", "lapse_at", "id")
        try await database.createIndex("problem_parcels_waybill", on: "problem_parcels", "waybill")
        try await database.createIndex("problem_parcels_settled", on: "problem_parcels", "settled_at")
        try await database.schema("problem_parcel_entries")
            .id()
            .field("parcel_id", .uuid, .required, .references("problem_parcels", "id"))
            .field("at", .datetime, .required)
            .field("by_id", .uuid)
            .field("by_name", .string, .required)
            // registered, follow_up, settled, warning, lapsed, complaint
            .field("kind", .string, .required)
            .field("method", .string)
            .field("note", .string)
            .field("next_attempt_at", .datetime)
            .create()
        try await database.createIndex("problem_parcel_entries_parcel", on: "problem_parcel_entries", "parcel_id", "at")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("problem_parcel_entries").delete()
        try await database.schema("problem_parcels").delete()
        try await database.schema("settings").delete()
        try await database.schema("problem_reasons").delete()
    }
}
