import FluentKit
import Foundation
import SQLKit

/// Investigation and closure: questions put to a unit (调查任务) with their answers, the editable list of root causes
/// (根因), rectification actions (整改) for systemic causes, and typical cases (典型案例).
struct CreateInvestigation: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("inquiries")
            .id()
            .field("complaint_id", .uuid, .required, .references("complaints", "id"))
            .field("clock_id", .uuid, .required)
            .field("asked_unit_id", .uuid, .required)
            .field("asked_unit_path", .string, .required)
            .field("question", .string, .required)
            .field("asked_by", .uuid, .required)
            .field("asked_by_name", .string, .required)
            .field("asked_at", .datetime, .required)
            .field("due_at", .datetime, .required)
            .field("state", .string, .required)
            .field("answer", .string)
            .field("answered_by_name", .string)
            .field("answered_at", .datetime)
            .create()
        try await database.createIndex("inquiries_complaint", on: "inquiries", "complaint_id", "asked_at")
        // A unit's open questions, soonest due first; the path prefix finds a region's whole subtree.
        try await database.createIndex("inquiries_unit_open", on: "inquiries", "state", "asked_unit_path", "due_at")
        try await database.schema("attachments").field("inquiry_id", .uuid).update()

        try await database.schema("root_causes")
            .field("code", .string, .identifier(auto: false))
            .field("name", .string, .required)
            .field("systemic", .bool, .required)
            .field("active", .bool, .required)
            .field("sort_order", .int, .required)
            .create()
        let causes: [(String, String, Bool)] = [
            ("courier_practice", "派送员未按规范派送", false), ("mis_sort", "转运中心分拣错误", true),
            ("packaging", "包装不规范", false), ("system_info", "系统信息未及时更新", true),
            ("linehaul_delay", "干线运输延误", true), ("weather", "恶劣天气", false),
            ("customer_address", "客户地址信息错误", false), ("pricing_promise", "销售报价或承诺不符", true),
            ("no_call_before_delivery", "派前未电联", false), ("staffing", "网点人手不足", true),
        ]
        for (i, cause) in causes.enumerated() {
            try await database.sql.raw("""
                INSERT INTO root_causes (code, name, systemic, active, sort_order)
                VALUES (\(bind: cause.0), \(bind: cause.1), \(bind: cause.2), \(bind: true), \(bind: i + 1))
                """).run()
        }

        try await database.schema("rectifications")
            .id()
            .field("complaint_id", .uuid, .required, .references("complaints", "id"))
            .field("root_cause", .string, .required)
            .field("action", .string, .required)
            .field("owner_unit_id", .uuid, .required)
            .field("owner_unit_path", .string, .required)
            .field("due_at", .datetime, .required)
            .field("state", .string, .required)
            .field("created_by_name", .string, .required)
            .field("created_at", .datetime, .required)
            .field("done_note", .string)
            .field("done_by", .uuid)
            .field("done_by_name", .string)
            .field("done_at", .datetime)
            .field("verified_by_name", .string)
            .field("verified_at", .datetime)
            .create()
        try await database.createIndex("rectifications_open", on: "rectifications", "state", "owner_unit_path", "due_at")
        try await database.createIndex("rectifications_complaint", on: "rectifications", "complaint_id")

        try await database.schema("typical_cases")
            .field("complaint_id", .uuid, .identifier(auto: false), .references("complaints", "id"))
            .field("category", .string, .required)
            .field("lesson", .string, .required)
            .field("marked_by_name", .string, .required)
            .field("marked_at", .datetime, .required)
            .create()
        try await database.createIndex("typical_cases_category", on: "typical_cases", "category", "marked_at")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("typical_cases").delete()
        try await database.schema("rectifications").delete()
        try await database.schema("root_causes").delete()
        try await database.schema("attachments").deleteField("inquiry_id").update()
        try await database.schema("inquiries").delete()
    }
}
