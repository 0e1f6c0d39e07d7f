import FluentKit
import Foundation
import SQLKit

/// Resolution: versions of the compensation rules (赔偿规则), each in force for complaints received from its date;
/// the responsibility finding (责任认定) on the complaint.
struct CreateResolution: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("compensation_rules")
            .id()
            .field("version", .int, .required)
            .field("effective_from", .datetime, .required)
            .field("uninsured_fee_multiple", .int, .required)
            .field("coupon_cap_fen", .int64, .required)
            .field("created_at", .datetime, .required)
            .field("created_by", .string)
            .unique(on: "version")
            .create()
        // Version 1, in force for everything: uninsured items up to 3× the fee, coupons up to ¥20.
        try await database.sql.raw("""
            INSERT INTO compensation_rules (id, version, effective_from, uninsured_fee_multiple, coupon_cap_fen,
                created_at, created_by)
            VALUES (\(bind: UUID()), 1, \(bind: Date(timeIntervalSince1970: 946_684_800)), 3, 2000, \(bind: Date()),
                'kesu')
            """).run()
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await database.schema("complaints").field("responsible_unit_id", .uuid).update()
        try await database.schema("complaints").field("responsible_person", .string).update()
        try await database.schema("complaints").field("responsibility_reason", .string).update()
        try await database.schema("complaints").field("responsibility_evidence", .string).update()

        // 解决方案: what a complaint offers the customer, each checked against its proposer's authority.
        try await database.schema("proposals")
            .id()
            .field("complaint_id", .uuid, .required, .references("complaints", "id"))
            .field("kind", .string, .required)
            .field("amount_fen", .int64, .required)
            .field("description", .string, .required)
            .field("state", .string, .required)
            .field("proposed_by", .uuid, .required)
            .field("proposed_by_name", .string, .required)
            .field("proposed_at", .datetime, .required)
            .field("approved_by", .uuid)
            .field("approved_by_name", .string)
            .field("approved_at", .datetime)
            .field("offered_at", .datetime)
            .field("decided_at", .datetime)
            .field("decision_reason", .string)
            .create()
        try await database.createIndex("proposals_complaint", on: "proposals", "complaint_id", "proposed_at")
        // 执行任务: the steps an accepted proposal becomes, each with an owner and a due time, tracked to done.
        try await database.schema("complaint_tasks")
            .id()
            .field("complaint_id", .uuid, .required, .references("complaints", "id"))
            .field("proposal_id", .uuid)
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("owner_id", .uuid)
            .field("owner_name", .string, .required)
            .field("due_at", .datetime, .required)
            .field("state", .string, .required)
            .field("created_at", .datetime, .required)
            .field("done_at", .datetime)
            .field("done_by_name", .string)
            .field("note", .string)
            .create()
        try await database.createIndex("complaint_tasks_complaint", on: "complaint_tasks", "complaint_id", "created_at")
        // 回访: each follow-up attempt and the customer's answer.
        try await database.schema("follow_ups")
            .id()
            .field("complaint_id", .uuid, .required, .references("complaints", "id"))
            .field("outcome", .string, .required)
            .field("comment", .string)
            .field("via", .string, .required)
            .field("recorded_by", .string, .required)
            .field("at", .datetime, .required)
            .create()
        try await database.createIndex("follow_ups_complaint", on: "follow_ups", "complaint_id", "at")
        // 权限: the most each role may grant alone (NULL: no limit).
        try await database.schema("authority_limits")
            .field("role", .string, .required)
            .field("limit_fen", .int64)
            .unique(on: "role")
            .create()
        for (role, limit) in [("agent", 10_000), ("supervisor", 50_000), ("quality", 50_000), ("claims", 200_000),
                              ("admin", nil), ("outlet", 0), ("system", 0)] as [(String, Int?)] {
            try await database.sql.raw("""
                INSERT INTO authority_limits (role, limit_fen) VALUES (\(bind: role), \(bind: limit))
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("authority_limits").delete()
        try await database.schema("complaint_tasks").delete()
        try await database.schema("follow_ups").delete()
        try await database.schema("proposals").delete()
        for column in ["responsible_unit_id", "responsible_person", "responsibility_reason", "responsibility_evidence"] {
            try await database.schema("complaints").deleteField(.string(column)).update()
        }
        try await database.schema("compensation_rules").delete()
    }
}
