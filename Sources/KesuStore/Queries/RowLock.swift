import FluentKit
import Foundation
import SQLKit

/// 行锁 — the one way a write transaction holds a complaint while it reads and changes it, the same call on both
/// databases. PostgreSQL locks the row (`FOR UPDATE`) until the transaction ends, so a second instance's change to
/// the same complaint waits and then sees the first. SQLite has one writer at a time (``Writer`` serialises write
/// transactions in the process), so the transaction already holds everything and the same statement just reads.
package enum RowLock {
    /// Holds the complaint `id` for the rest of the transaction `tx`.
    package static func complaint(_ id: UUID, on tx: any Database) async throws {
        try await tx.sql.select().column("id").from("complaints").where("id", .equal, SQLBind(id)).for(.update).run()
    }

    /// Holds the problem parcel `id` for the rest of the transaction `tx`.
    package static func problemParcel(_ id: UUID, on tx: any Database) async throws {
        try await tx.sql.select().column("id").from("problem_parcels").where("id", .equal, SQLBind(id)).for(.update).run()
    }

    /// Holds the fine `id` for the rest of the transaction `tx`.
    package static func fine(_ id: UUID, on tx: any Database) async throws {
        try await tx.sql.select().column("id").from("fines").where("id", .equal, SQLBind(id)).for(.update).run()
    }

    /// Whether this database locks rows (and so can skip rows another transaction holds).
    package static func locksRows(_ db: any Database) throws -> Bool {
        try db.sql.dialect.exclusiveSelectLockExpression != nil
    }
}
