import FluentKit
import SQLKit

/// 分类纠正 — a category an agent chose for a complaint whose category triage suggested or left open: the text, what
/// the model said (nil when it was not sure enough) and what the agent chose. `kesu triage train --corrections`
/// learns from them, so the model learns the company's own words.
struct CreateTriageCorrections: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("triage_corrections")
            .id()
            .field("complaint_id", .uuid, .required)
            .field("description", .string, .required)
            .field("suggested", .string)
            .field("chosen", .string, .required)
            .field("chosen_subcategory", .string)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("triage_corrections").delete()
    }
}
