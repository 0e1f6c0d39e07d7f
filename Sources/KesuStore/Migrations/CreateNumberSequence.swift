import FluentKit
import SQLKit

/// One counter a day for complaint numbers (`KS` + day + sequence).
struct CreateNumberSequence: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.sql.create(table: "number_sequences")
            .column("day", type: .text, .primaryKey(autoIncrement: false))
            .column("last", type: .bigint, .notNull)
            .run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.drop(table: "number_sequences").run()
    }
}
