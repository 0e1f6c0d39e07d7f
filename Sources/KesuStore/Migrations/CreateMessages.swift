import FluentKit
import SQLKit

/// 渠道消息 — what came in by a channel (e-mail, WeChat, a platform), kept by the sender's own id so a message
/// delivered twice is taken once; and what goes out to customers (e-mail, SMS, WeChat), each with its state from
/// queued to sent or given up. Customers may turn off non-essential notices; they are found by e-mail address.
struct CreateMessages: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("inbound_messages")
            .id()
            .field("channel", .string, .required)
            // The sender's id: a Message-ID, a WeChat MsgId, a platform's case id.
            .field("external_id", .string, .required)
            .field("complaint_id", .uuid)
            .field("sender", .string, .required)
            // stored, joined, ignored (automatic, throttled) — with why
            .field("outcome", .string, .required)
            .field("reason", .string)
            .field("received_at", .datetime, .required)
            .unique(on: "channel", "external_id")
            .create()
        try await database.createIndex("inbound_messages_sender", on: "inbound_messages", "sender", "received_at")

        try await database.schema("outbound_messages")
            .id()
            .field("idempotency_key", .string, .required)
            .field("complaint_id", .uuid)
            .field("customer_id", .uuid)
            // email, sms, wechat
            .field("channel", .string, .required)
            // received, reply, investigating, proposal, execution, survey, closed
            .field("notice", .string, .required)
            .field("urgent", .bool, .required)
            .field("recipient", .string, .required)
            // An e-mail's subject; an SMS's template parameters (JSON), which the gateway fills its template with.
            .field("subject", .string, .required)
            .field("body", .string, .required)
            // Our own id for the message (an e-mail's Message-ID), and what it answers.
            .field("message_id", .string, .required)
            .field("in_reply_to", .string)
            .field("refs", .string)
            // queued, held, sending, sent, delivered, failed (to be retried), dead (given up)
            .field("state", .string, .required)
            .field("held_reason", .string)
            .field("attempts", .int, .required)
            .field("run_at", .datetime, .required)
            .field("leased_by", .string)
            .field("last_error", .string)
            // The gateway's id for what it sent.
            .field("provider_ref", .string)
            .field("created_at", .datetime, .required)
            .field("sent_at", .datetime)
            .field("finished_at", .datetime)
            .unique(on: "idempotency_key")
            .unique(on: "message_id")
            .create()
        // The sender's one query reads only messages still to go.
        try await database.sql.raw("""
            CREATE INDEX outbound_due ON outbound_messages (run_at) WHERE state IN ('queued', 'held', 'failed', 'sending')
            """).run()
        try await database.createIndex("outbound_complaint", on: "outbound_messages", "complaint_id", "created_at")
        try await database.createIndex("outbound_state", on: "outbound_messages", "state", "created_at")
        try await database.createIndex("outbound_customer", on: "outbound_messages", "customer_id", "complaint_id", "run_at")

        try await database.schema("customers").field("notices_off", .bool).update()
        try await database.createIndex("customers_email", on: "customers", "email")
    }

    func revert(on database: any Database) async throws {
        try await database.schema("outbound_messages").delete()
        try await database.schema("inbound_messages").delete()
        try await database.schema("customers").deleteField("notices_off").update()
    }
}
