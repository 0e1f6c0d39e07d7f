import FluentKit
import Foundation
import KesuCore
import SQLKit

/// One in-app notification (通知): a clock warned or breached, a complaint was escalated or handed over.
package struct NotificationRow: Sendable {
    package var id: UUID
    package var userID: UUID
    package var complaintID: UUID?
    package var complaintNumber: String?
    package var kind: String
    /// What the notification says, as values for its kind's text in the reader's language (catalog key
    /// `notice.<kind>`). Notifications stored before there were parameters have `text` only.
    package var params: [String: String]?
    /// The text as stored, for notifications without parameters.
    package var text: String
    package var createdAt: Date
    package var readAt: Date?

    package init(id: UUID, userID: UUID, complaintID: UUID?, complaintNumber: String? = nil, kind: String,
                 params: [String: String]? = nil, text: String = "", createdAt: Date, readAt: Date? = nil) {
        self.id = id
        self.params = params
        self.userID = userID
        self.complaintID = complaintID
        self.complaintNumber = complaintNumber
        self.kind = kind
        self.text = text
        self.createdAt = createdAt
        self.readAt = readAt
    }
}

package enum NotificationStore {
    static func encode(_ params: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(params), as: UTF8.self)
    }

    static func decode(_ json: String) -> [String: String]? {
        try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))
    }

    package static func insert(_ rows: [NotificationRow], on db: any Database) async throws {
        try await BulkInsert.rows(
            into: "notifications", columns: ["id", "user_id", "complaint_id", "kind", "params", "text", "created_at"],
            try rows.map { [$0.id, $0.userID, $0.complaintID, $0.kind, try $0.params.map(encode), $0.text, $0.createdAt] },
            ignoringConflictOn: "id", on: db)
    }

    /// A user's notifications, newest first, with the complaint numbers.
    package static func list(userID: UUID, unreadOnly: Bool, limit: Int, on db: any Database) async throws
        -> [NotificationRow]
    {
        let unread = unreadOnly ? " AND n.read_at IS NULL" : ""
        return try await db.sql.raw("""
            SELECT n.id, n.complaint_id, c.number, n.kind, n.params, n.text, n.created_at, n.read_at
            FROM notifications n LEFT JOIN complaints c ON c.id = n.complaint_id
            WHERE n.user_id = \(bind: userID)\(unsafeRaw: unread)
            ORDER BY n.created_at DESC, n.id DESC LIMIT \(bind: limit)
            """).all().map { row in
            NotificationRow(
                id: try row.decode(column: "id", as: UUID.self), userID: userID,
                complaintID: try row.decode(column: "complaint_id", as: UUID?.self),
                complaintNumber: try row.decode(column: "number", as: String?.self),
                kind: try row.decode(column: "kind", as: String.self),
                params: try row.decode(column: "params", as: String?.self).flatMap(decode),
                text: try row.decode(column: "text", as: String.self),
                createdAt: try row.decode(column: "created_at", as: Date.self),
                readAt: try row.decode(column: "read_at", as: Date?.self))
        }
    }

    package static func unreadCount(userID: UUID, on db: any Database) async throws -> Int {
        let row = try await db.sql.raw("""
            SELECT COUNT(*) AS n FROM notifications WHERE user_id = \(bind: userID) AND read_at IS NULL
            """).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Marks the user's notifications read: those of `ids`, or all when `ids` is nil.
    package static func markRead(userID: UUID, ids: [UUID]?, at now: Date, on db: any Database) async throws {
        var update = try db.sql.update("notifications").set("read_at", to: SQLBind(now))
            .where("user_id", .equal, SQLBind(userID)).where("read_at", .is, SQLLiteral.null)
        if let ids {
            guard !ids.isEmpty else { return }
            update = update.where("id", .in, SQLBind.group(ids))
        }
        try await update.run()
    }

    /// Everyone escalations can reach: active supervisors and quality staff with their units (or the active staff
    /// of other `roles`).
    package static func escalatees(roles: [Role] = [.supervisor, .quality], on db: any Database) async throws -> [Escalatee] {
        try await db.sql.raw("""
            SELECT u.id, u.username, u.display_name, u.role, o.path FROM users u JOIN org_units o ON o.id = u.unit_id
            WHERE u.active = \(bind: true) AND u.role IN (\(SQLList(roles.map { SQLBind($0.rawValue) })))
            ORDER BY u.role DESC, u.username
            """).all().map { row in
            Escalatee(id: try row.decode(column: "id", as: UUID.self),
                      username: try row.decode(column: "username", as: String.self),
                      displayName: try row.decode(column: "display_name", as: String.self),
                      role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .quality,
                      unitPath: UnitPath(rawValue: try row.decode(column: "path", as: String.self)))
        }
    }
}
