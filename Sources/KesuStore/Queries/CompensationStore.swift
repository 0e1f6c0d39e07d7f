import FluentKit
import Foundation
import KesuCore
import SQLKit

/// One stored version of the compensation rules, with who added it and when.
package struct CompensationRulesRow: Sendable {
    package var rules: CompensationRules
    package var createdAt: Date
    package var createdBy: String?
}

package enum CompensationStore {
    /// Every version, oldest first.
    package static func versions(on db: any Database) async throws -> [CompensationRulesRow] {
        try await db.sql.raw("""
            SELECT version, effective_from, uninsured_fee_multiple, coupon_cap_fen, created_at, created_by
            FROM compensation_rules ORDER BY version
            """).all().map { row in
            CompensationRulesRow(
                rules: CompensationRules(
                    version: try row.decode(column: "version", as: Int.self),
                    effectiveFrom: try row.decode(column: "effective_from", as: Date.self),
                    uninsuredFeeMultiple: try row.decode(column: "uninsured_fee_multiple", as: Int.self),
                    couponCapFen: try row.decode(column: "coupon_cap_fen", as: Int64.self)),
                createdAt: try row.decode(column: "created_at", as: Date.self),
                createdBy: try row.decode(column: "created_by", as: String?.self))
        }
    }

    /// Adds the next version (one more than the highest); the unique version keeps two concurrent adds apart.
    package static func add(effectiveFrom: Date, uninsuredFeeMultiple: Int, couponCapFen: Int64, by username: String,
                            now: Date, id: UUID, on db: any Database) async throws -> CompensationRules
    {
        let top = try await db.sql.raw("SELECT MAX(version) AS v FROM compensation_rules").first()
        let version = (try top?.decode(column: "v", as: Int?.self) ?? 0) + 1
        let rules = CompensationRules(version: version, effectiveFrom: effectiveFrom,
                                      uninsuredFeeMultiple: uninsuredFeeMultiple, couponCapFen: couponCapFen)
        try rules.validate()
        try await db.sql.insert(into: "compensation_rules")
            .columns("id", "version", "effective_from", "uninsured_fee_multiple", "coupon_cap_fen", "created_at",
                     "created_by")
            .values(SQLBind(id), SQLBind(version), SQLBind(effectiveFrom), SQLBind(uninsuredFeeMultiple),
                    SQLBind(couponCapFen), SQLBind(now), SQLBind(username))
            .run()
        return rules
    }
}
