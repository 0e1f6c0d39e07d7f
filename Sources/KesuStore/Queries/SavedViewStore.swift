import FluentKit
import Foundation
import SQLKit

/// A saved view of the work list: its name and the list's query string.
package struct SavedViewRow: Sendable, Equatable {
    package var id: UUID
    package var ownerID: UUID
    package var ownerName: String
    package var name: String
    package var query: String
    /// The unit the view is shared with, nil for a private view.
    package var sharedUnitID: UUID?
    package var createdAt: Date

    package init(id: UUID, ownerID: UUID, ownerName: String = "", name: String, query: String, sharedUnitID: UUID?,
                 createdAt: Date) {
        self.id = id
        self.ownerID = ownerID
        self.ownerName = ownerName
        self.name = name
        self.query = query
        self.sharedUnitID = sharedUnitID
        self.createdAt = createdAt
    }
}

package enum SavedViewStore {
    /// The views a user sees: their own, then those shared with their unit, oldest first.
    package static func list(ownerID: UUID, unitID: UUID, on db: any Database) async throws -> [SavedViewRow] {
        try await db.sql.raw("""
            SELECT v.id, v.owner_id, u.display_name AS owner_name, v.name, v.query, v.shared_unit_id, v.created_at
            FROM saved_views v JOIN users u ON u.id = v.owner_id
            WHERE v.owner_id = \(bind: ownerID) OR v.shared_unit_id = \(bind: unitID)
            ORDER BY CASE WHEN v.owner_id = \(bind: ownerID) THEN 0 ELSE 1 END, v.created_at, v.id
            LIMIT 50
            """).all().map(decode)
    }

    package static func count(ownerID: UUID, on db: any Database) async throws -> Int {
        try await db.sql.raw("SELECT COUNT(*) AS n FROM saved_views WHERE owner_id = \(bind: ownerID)")
            .first()?.decode(column: "n", as: Int.self) ?? 0
    }

    package static func insert(_ view: SavedViewRow, on db: any Database) async throws {
        try await db.sql.raw("""
            INSERT INTO saved_views (id, owner_id, name, query, shared_unit_id, created_at)
            VALUES (\(bind: view.id), \(bind: view.ownerID), \(bind: view.name), \(bind: view.query),
                    \(bind: view.sharedUnitID), \(bind: view.createdAt))
            """).run()
    }

    package static func find(_ id: UUID, on db: any Database) async throws -> SavedViewRow? {
        try await db.sql.raw("""
            SELECT id, owner_id, name, query, shared_unit_id, created_at FROM saved_views WHERE id = \(bind: id)
            """).first().map(decode)
    }

    private static func decode(_ row: any SQLRow) throws -> SavedViewRow {
        SavedViewRow(id: try row.decode(column: "id", as: UUID.self),
                     ownerID: try row.decode(column: "owner_id", as: UUID.self),
                     ownerName: (try? row.decode(column: "owner_name", as: String.self)) ?? "",
                     name: try row.decode(column: "name", as: String.self),
                     query: try row.decode(column: "query", as: String.self),
                     sharedUnitID: try row.decode(column: "shared_unit_id", as: UUID?.self),
                     createdAt: try row.decode(column: "created_at", as: Date.self))
    }

    package static func delete(_ id: UUID, on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM saved_views WHERE id = \(bind: id)").run()
    }
}
