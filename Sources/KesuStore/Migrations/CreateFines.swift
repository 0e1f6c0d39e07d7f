import FluentKit
import SQLKit

/// 考核 — the catalogue of fine and reward rules, the fines issued on outlets and couriers, their timelines (issue,
/// appeal, decisions, windows) and the evidence both sides see. Also makes one open problem parcel per waybill a rule
/// of the database, so two registrations racing on PostgreSQL cannot both land.
struct CreateFines: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.sql.raw("DROP INDEX problem_parcels_waybill").run()
        try await database.sql.raw("""
            CREATE UNIQUE INDEX problem_parcels_one_open ON problem_parcels (waybill) WHERE settled_at IS NULL
            """).run()
        try await database.createIndex("problem_parcels_waybill", on: "problem_parcels", "waybill", "opened_at")
        try await database.schema("fine_rules")
            .field("code", .string, .identifier(auto: false))
            .field("name_zh", .string, .required)
            .field("name_en", .string, .required)
            .field("kind", .string, .required)
            .field("amount_fen", .int)
            .field("multiplier_percent", .int)
            .field("base_code", .string)
            .field("needs_neglect", .bool, .required)
            .field("active", .bool, .required)
            .field("position", .int, .required)
            .create()
        let rules: [(String, String, String, String, Int?, Int?, String?, Bool)] = [
            ("locker_without_consent", "未经同意放柜/驿站（每件）", "Put in a locker without consent (per parcel)", "fine", 1_000, nil, nil, false),
            ("false_problem_report", "虚假问题件报备", "False problem-parcel report", "fine", 5_000, nil, nil, false),
            ("complaint_courier", "投诉成立（业务员责任）", "Upheld complaint, the courier's fault", "fine", 20_000, nil, nil, false),
            ("lost_parcel", "快件丢失", "Lost parcel", "fine", 50_000, nil, nil, false),
            ("escalated_complaint", "升级投诉", "Escalated complaint", "fine", 100_000, nil, nil, false),
            ("lapsed_then_complained", "问题件超期未跟进遭投诉（双倍）", "Problem parcel lapsed, then complained about (double)",
             "fine", nil, 200, "complaint_courier", true),
            ("parcel_settled_late", "问题件三天后妥善处理（每件奖励）", "Problem parcel settled after day 3 (reward per parcel)",
             "reward", 500, nil, nil, false),
        ]
        for (position, r) in rules.enumerated() {
            try await database.sql.raw("""
                INSERT INTO fine_rules (code, name_zh, name_en, kind, amount_fen, multiplier_percent, base_code, needs_neglect, active, position)
                VALUES (\(bind: r.0), \(bind: r.1), \(bind: r.2), \(bind: r.3), \(bind: r.4), \(bind: r.5), \(bind: r.6), \(bind: r.7), \(bind: true), \(bind: position))
                """).run()
        }
        try await database.schema("fines")
            .id()
            .field("number", .string, .required)
            .unique(on: "number")
            // The unit fined (an outlet or one of its couriers), its outlet, and the path the access policy reads.
            .field("unit_id", .uuid, .required, .references("org_units", "id"))
            .field("outlet_id", .uuid, .required, .references("org_units", "id"))
            .field("owner_path", .string, .required)
            .field("rule_code", .string, .required)
            .field("quantity", .int, .required)
            .field("original_fen", .int, .required)
            .field("due_fen", .int, .required)
            .field("reason", .string, .required)
            .field("complaint_id", .uuid, .references("complaints", "id"))
            .field("parcel_id", .uuid, .references("problem_parcels", "id"))
            .field("issued_by_id", .uuid, .required)
            .field("issued_by_name", .string, .required)
            .field("issuer_path", .string, .required)
            .field("issued_at", .datetime, .required)
            .field("status", .string, .required)
            .field("appealed_at", .datetime)
            .field("decision", .string)
            .field("first_reviewer_id", .uuid)
            .field("running_window", .string)
            .field("deadline", .datetime)
            .field("suspended", .bool, .required)
            .field("overdue_at", .datetime)
            .field("final_at", .datetime)
            .create()
        try await database.createIndex("fines_owner", on: "fines", "owner_path", "issued_at", "id")
        try await database.createIndex("fines_issued", on: "fines", "issued_at", "id")
        try await database.sql.raw("""
            CREATE INDEX fines_waiting ON fines (deadline, id) WHERE status IN ('open', 'appealed', 'decided', 'second_review')
            """).run()
        try await database.schema("fine_entries")
            .id()
            .field("fine_id", .uuid, .required, .references("fines", "id"))
            .field("at", .datetime, .required)
            .field("by_id", .uuid)
            .field("by_name", .string, .required)
            // issued, appealed, decided, second_review_asked, accepted, closed, overdue
            .field("kind", .string, .required)
            .field("decision", .string)
            .field("amount_fen", .int)
            .field("note", .string)
            .create()
        try await database.createIndex("fine_entries_fine", on: "fine_entries", "fine_id", "at")
        try await database.schema("fine_evidence")
            .id()
            .field("fine_id", .uuid, .required, .references("fines", "id"))
            .field("entry_id", .uuid, .required, .references("fine_entries", "id"))
            // scan, call_record, photo, chat, other
            .field("kind", .string, .required)
            .field("file_name", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int, .required)
            .field("data", .data, .required)
            .field("uploaded_by", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.createIndex("fine_evidence_fine", on: "fine_evidence", "fine_id", "created_at")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("fine_evidence").delete()
        try await database.schema("fine_entries").delete()
        try await database.schema("fines").delete()
        try await database.schema("fine_rules").delete()
        try await database.sql.raw("DROP INDEX problem_parcels_waybill").run()
        try await database.sql.raw("DROP INDEX problem_parcels_one_open").run()
        try await database.createIndex("problem_parcels_waybill", on: "problem_parcels", "waybill")
    }
}
