import FluentKit
import Foundation
import SQLKit

/// The customer's private links to their complaints.
package enum PortalStore {
    /// Remembers a link for a complaint (by the token's hash).
    package static func addLink(id: UUID, complaintID: UUID, tokenHash: String, now: Date, on db: any Database) async throws {
        try await db.sql.raw("""
            INSERT INTO portal_links (id, complaint_id, token_hash, created_at)
            VALUES (\(bind: id), \(bind: complaintID), \(bind: tokenHash), \(bind: now))
            """).run()
    }

    /// The complaint a link leads to.
    package static func complaintID(tokenHash: String, on db: any Database) async throws -> UUID? {
        try await db.sql.raw("SELECT complaint_id FROM portal_links WHERE token_hash = \(bind: tokenHash)").first()?
            .decode(column: "complaint_id", as: UUID.self)
    }

    /// The complaint with this number whose customer has this phone, if both match.
    package static func complaintID(number: String, phone: String, on db: any Database) async throws -> UUID? {
        try await db.sql.raw("""
            SELECT c.id FROM complaints c JOIN customers cu ON cu.id = c.customer_id
            WHERE c.number = \(bind: number) AND cu.phone = \(bind: phone)
            """).first()?.decode(column: "id", as: UUID.self)
    }
}
