import FluentKit
import SQLKit

/// 公众号粉丝 — a WeChat follower (by openid, per official account) and the customer they are, once they gave a
/// phone number; when they last wrote (customer-service messages may answer for 48 hours after); what they wrote
/// before they gave the number. Pushes are kept with their fields and taken after WeChat has had its `success`.
struct CreateWeChatFollowers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("wechat_followers")
            .id()
            .field("openid", .string, .required)
            .field("customer_id", .uuid)
            .field("last_wrote_at", .datetime)
            // Texts (and media ids, as JSON) sent before a phone number: the complaint's first words once it comes.
            .field("waiting_text", .string)
            .field("waiting_media", .string)
            .field("asked_at", .datetime)
            .field("unfollowed_at", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "openid")
            .create()
        // Which follower wrote into a complaint, to answer them there.
        try await database.createIndex("inbound_messages_complaint", on: "inbound_messages", "complaint_id")
        // A push as it came (its fields as JSON), until it is taken.
        try await database.schema("inbound_messages").field("payload", .string).update()
        try await database.sql.raw("""
            CREATE INDEX inbound_waiting ON inbound_messages (received_at) WHERE outcome = 'queued'
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("wechat_followers").delete()
        try await database.sql.raw("DROP INDEX inbound_waiting").run()
        try await database.sql.raw("DROP INDEX inbound_messages_complaint").run()
        try await database.schema("inbound_messages").deleteField("payload").update()
    }
}
