import FluentKit
import Foundation
import SQLKit

/// The user behind a bearer token, read in one query on every API request.
package struct TokenSession: Sendable {
    package var tokenID: UUID
    package var expiresAt: Date
    package var revoked: Bool
    package var userID: UUID
    package var username: String
    package var displayName: String
    package var role: String
    package var active: Bool
    package var unitID: UUID
    package var unitKind: String
    package var unitPath: String

    /// The session of the token whose SHA-256 is `hash`, if there is one.
    package static func find(hash: String, on db: any Database) async throws -> TokenSession? {
        guard let row = try await db.sql.raw("""
            SELECT t.id AS token_id, t.expires_at, t.revoked_at, u.id AS user_id, u.username, u.display_name, u.role,
                   u.active, o.id AS unit_id, o.kind AS unit_kind, o.path AS unit_path
            FROM auth_tokens t JOIN users u ON u.id = t.user_id JOIN org_units o ON o.id = u.unit_id
            WHERE t.token_hash = \(bind: hash)
            """).first()
        else { return nil }
        return TokenSession(
            tokenID: try row.decode(column: "token_id", as: UUID.self),
            expiresAt: try row.decode(column: "expires_at", as: Date.self),
            revoked: try row.decode(column: "revoked_at", as: Date?.self) != nil,
            userID: try row.decode(column: "user_id", as: UUID.self),
            username: try row.decode(column: "username", as: String.self),
            displayName: try row.decode(column: "display_name", as: String.self),
            role: try row.decode(column: "role", as: String.self),
            active: try row.decode(column: "active", as: Bool.self),
            unitID: try row.decode(column: "unit_id", as: UUID.self),
            unitKind: try row.decode(column: "unit_kind", as: String.self),
            unitPath: try row.decode(column: "unit_path", as: String.self))
    }
}
