import FluentKit
import SQLKit

/// The work list's storage: saved views (我的视图), a user's own or one a supervisor shares with a unit; and the
/// index of its default order, nearest deadline first.
struct CreateWorkList: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("saved_views")
            .id()
            .field("owner_id", .uuid, .required, .references("users", "id"))
            .field("name", .string, .required)
            .field("query", .string, .required)
            .field("shared_unit_id", .uuid, .references("org_units", "id"))
            .field("created_at", .datetime, .required)
            .create()
        try await database.createIndex("saved_views_owner", on: "saved_views", "owner_id")
        try await database.createIndex("saved_views_shared", on: "saved_views", "shared_unit_id")
        try await database.createIndex("complaints_due", on: "complaints", "due_at", "priority", "id")
    }

    func revert(on database: any Database) async throws {
        try await database.sql.drop(index: "complaints_due").run()
        try await database.schema("saved_views").delete()
    }
}

/// The work list's order, nearest deadline first, within a status; and — for the views of open work (mine, a
/// team's, unassigned), page and count alike — over open complaints by assignee (a partial index).
struct IndexOpenWork: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.createIndex("complaints_status_due", on: "complaints", "status", "due_at", "priority", "id")
        try await database.sql.raw("""
            CREATE INDEX complaints_open_assignee_due ON complaints (assignee_id, due_at, priority, id)
            WHERE status <> 'closed'
            """).run()
    }

    func revert(on database: any Database) async throws {
        for index in ["complaints_status_due", "complaints_open_assignee_due"] {
            try await database.sql.drop(index: index).run()
        }
    }
}
