import FluentKit
import SQLKit

/// 时限 on any subject: the complaints' clocks move to `clocks`, where each names its subject (a kind and an id) and,
/// when the subject belongs to a complaint, that complaint. Rebuilt rather than altered, because SQLite cannot drop a
/// NOT NULL; existing clocks keep every value and become clocks of subject kind `complaint`.
struct ClocksOnAnySubject: AsyncMigration {
    static let copied = [
        "id", "complaint_id", "kind", "started_at", "target_seconds", "business_time", "warn_fraction",
        "pause_statuses", "warn_actions", "breach_actions", "due_at", "warn_at", "paused_at", "paused_seconds",
        "warned_at", "breached_at", "met_at", "next_fire_at", "policy_id", "note",
    ]

    func prepare(on database: any Database) async throws {
        try await database.schema("clocks")
            .id()
            .field("subject_kind", .string, .required)
            .field("subject_id", .uuid, .required)
            .field("complaint_id", .uuid, .references("complaints", "id"))
            .clockFields()
            .create()
        let list = Self.copied.joined(separator: ", ")
        try await database.sql.raw("""
            INSERT INTO clocks (subject_kind, subject_id, \(unsafeRaw: list))
            SELECT 'complaint', complaint_id, \(unsafeRaw: list) FROM complaint_clocks
            """).run()
        try await database.schema("complaint_clocks").delete()
        try await Self.index(database)
    }

    static func index(_ database: any Database) async throws {
        try await database.createIndex("clocks_subject", on: "clocks", "subject_kind", "subject_id")
        try await database.createIndex("clocks_complaint", on: "clocks", "complaint_id")
        // The scheduler's one query: only clocks with something still to fire are in this index.
        try await database.sql.raw("CREATE INDEX clocks_next_fire ON clocks (next_fire_at) WHERE next_fire_at IS NOT NULL")
            .run()
        // Reports read the clocks of complaints received in a period.
        try await database.createIndex("clocks_kind_started", on: "clocks", "kind", "started_at")
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DELETE FROM clocks WHERE subject_kind <> 'complaint'").run()
        try await database.schema("complaint_clocks")
            .id()
            .field("complaint_id", .uuid, .required, .references("complaints", "id"))
            .clockFields()
            .create()
        let list = Self.copied.joined(separator: ", ")
        try await database.sql.raw("INSERT INTO complaint_clocks (\(unsafeRaw: list)) SELECT \(unsafeRaw: list) FROM clocks")
            .run()
        try await database.schema("clocks").delete()
    }
}

extension SchemaBuilder {
    /// A clock's own columns: its kind, times and states, what it does when it fires.
    func clockFields() -> SchemaBuilder {
        self
            .field("kind", .string, .required)
            .field("started_at", .datetime, .required)
            .field("target_seconds", .double, .required)
            .field("business_time", .bool, .required)
            .field("warn_fraction", .double, .required)
            .field("pause_statuses", .string, .required)
            .field("warn_actions", .string, .required)
            .field("breach_actions", .string, .required)
            .field("due_at", .datetime, .required)
            .field("warn_at", .datetime, .required)
            .field("paused_at", .datetime)
            .field("paused_seconds", .double, .required)
            .field("warned_at", .datetime)
            .field("breached_at", .datetime)
            .field("met_at", .datetime)
            .field("next_fire_at", .datetime)
            .field("policy_id", .string)
            .field("note", .string)
    }
}
