import FluentKit
import Foundation
import SQLKit

/// A follower of the official account as kept.
package struct WeChatFollower: Sendable, Equatable {
    package var id: UUID
    package var openID: String
    package var customerID: UUID?
    package var lastWroteAt: Date?
    package var waitingText: String?
    package var waitingMedia: [String]
    package var askedAt: Date?
    package var unfollowedAt: Date?

    package init(id: UUID, openID: String, customerID: UUID? = nil, lastWroteAt: Date? = nil, waitingText: String? = nil,
                 waitingMedia: [String] = [], askedAt: Date? = nil, unfollowedAt: Date? = nil) {
        self.id = id
        self.openID = openID
        self.customerID = customerID
        self.lastWroteAt = lastWroteAt
        self.waitingText = waitingText
        self.waitingMedia = waitingMedia
        self.askedAt = askedAt
        self.unfollowedAt = unfollowedAt
    }
}

package enum WeChatFollowerStore {
    package static func find(openID: String, on db: any Database) async throws -> WeChatFollower? {
        try await db.sql.select().columns("*").from("wechat_followers").where("openid", .equal, SQLBind(openID))
            .first().map(decode)
    }

    /// The follower who wrote into this complaint (their express complaint or their messages), while they still
    /// follow: its notices answer them there. Keyed by the complaint, not the customer, so a follower who gives
    /// someone else's phone number is never told of that person's other complaints.
    package static func openID(complaintID: UUID, on db: any Database) async throws -> String? {
        try await db.sql.raw("""
            SELECT f.openid FROM inbound_messages m JOIN wechat_followers f ON f.openid = m.sender
            WHERE m.complaint_id = \(bind: complaintID) AND m.channel = 'wechat' AND f.unfollowed_at IS NULL
            ORDER BY m.received_at DESC LIMIT 1
            """).first()?.decode(column: "openid", as: String.self)
    }

    /// The complaint this follower last wrote into, if any.
    package static func lastComplaint(openID: String, on db: any Database) async throws -> UUID? {
        try await db.sql.raw("""
            SELECT complaint_id FROM inbound_messages
            WHERE channel = 'wechat' AND sender = \(bind: openID) AND complaint_id IS NOT NULL
            ORDER BY received_at DESC LIMIT 1
            """).first()?.decode(column: "complaint_id", as: UUID.self)
    }

    /// Creates the follower, or updates what it keeps.
    package static func save(_ f: WeChatFollower, at now: Date, on db: any Database) async throws {
        let media = f.waitingMedia.isEmpty ? nil : String(decoding: try JSONEncoder().encode(f.waitingMedia), as: UTF8.self)
        try await db.sql.insert(into: "wechat_followers")
            .columns("id", "openid", "customer_id", "last_wrote_at", "waiting_text", "waiting_media", "asked_at", "unfollowed_at",
                     "created_at")
            .values(SQLBind(f.id), SQLBind(f.openID), SQLBind(f.customerID), SQLBind(f.lastWroteAt), SQLBind(f.waitingText),
                    SQLBind(media), SQLBind(f.askedAt), SQLBind(f.unfollowedAt), SQLBind(now))
            .onConflict(with: ["openid"]) { conflict in
                conflict.set(excludedValueOf: "customer_id").set(excludedValueOf: "last_wrote_at")
                    .set(excludedValueOf: "waiting_text").set(excludedValueOf: "waiting_media")
                    .set(excludedValueOf: "asked_at").set(excludedValueOf: "unfollowed_at")
            }
            .run()
    }

    static func decode(_ row: any SQLRow) throws -> WeChatFollower {
        let media = try row.decode(column: "waiting_media", as: String?.self)
        return WeChatFollower(
            id: try row.decode(column: "id", as: UUID.self), openID: try row.decode(column: "openid", as: String.self),
            customerID: try row.decode(column: "customer_id", as: UUID?.self),
            lastWroteAt: try row.decode(column: "last_wrote_at", as: Date?.self),
            waitingText: try row.decode(column: "waiting_text", as: String?.self),
            waitingMedia: media.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? [],
            askedAt: try row.decode(column: "asked_at", as: Date?.self),
            unfollowedAt: try row.decode(column: "unfollowed_at", as: Date?.self))
    }
}

extension InboundStore {
    /// A push kept to be taken after it was answered: its fields as JSON.
    package static func keep(id: UUID, channel: String, externalID: String, sender: String, payload: String, at now: Date,
                             on db: any Database) async throws {
        try await db.sql.insert(into: "inbound_messages")
            .columns("id", "channel", "external_id", "complaint_id", "sender", "outcome", "reason", "received_at", "payload")
            .values(SQLBind(id), SQLBind(channel), SQLBind(externalID), SQLBind(UUID?.none), SQLBind(sender),
                    SQLBind("queued"), SQLBind(String?.none), SQLBind(now), SQLBind(payload))
            .run()
    }

    /// The oldest pushes still to be taken.
    package static func waiting(channel: String, limit: Int, on db: any Database) async throws
        -> [(id: UUID, externalID: String, payload: String)] {
        try await db.sql.raw("""
            SELECT id, external_id, payload FROM inbound_messages WHERE outcome = 'queued' AND channel = \(bind: channel)
            ORDER BY received_at LIMIT \(unsafeRaw: String(limit))
            """).all().map {
            (try $0.decode(column: "id", as: UUID.self), try $0.decode(column: "external_id", as: String.self),
             try $0.decode(column: "payload", as: String?.self) ?? "{}")
        }
    }

    /// Records what a kept push became; false when another process took it first.
    package static func settle(_ id: UUID, outcome: String, complaintID: UUID?, reason: String?, on db: any Database) async throws -> Bool {
        let rows = try await db.sql.raw("""
            UPDATE inbound_messages SET outcome = \(bind: outcome), complaint_id = \(bind: complaintID), reason = \(bind: reason)
            WHERE id = \(bind: id) AND outcome = 'queued' RETURNING id
            """).all()
        return !rows.isEmpty
    }
}
