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
    }

    func revert(on database: any Database) async throws {
        for column in ["responsible_unit_id", "responsible_person", "responsibility_reason", "responsibility_evidence"] {
            try await database.schema("complaints").deleteField(.string(column)).update()
        }
        try await database.schema("compensation_rules").delete()
    }
}
