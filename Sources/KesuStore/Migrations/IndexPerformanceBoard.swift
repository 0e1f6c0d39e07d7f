import FluentKit
import SQLKit

/// The performance board reads follow-ups and problem parcels of a period: an index on when each happened, so a
/// month is read from the index rather than by scanning every complaint or parcel.
struct IndexPerformanceBoard: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.createIndex("follow_ups_at", on: "follow_ups", "at")
        try await database.createIndex("problem_parcels_opened", on: "problem_parcels", "opened_at")
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP INDEX problem_parcels_opened").run()
        try await database.sql.raw("DROP INDEX follow_ups_at").run()
    }
}
