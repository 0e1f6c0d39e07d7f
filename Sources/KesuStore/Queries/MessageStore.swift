import FluentKit
import Foundation
import KesuCore
import SQLKit

/// A message to a customer as stored.
package struct OutboundRow: Sendable, Equatable {
    package var id: UUID
    package var idempotencyKey: String
    package var complaintID: UUID?
    package var customerID: UUID?
    package var channel: String
    package var notice: String
    package var urgent: Bool
    package var recipient: String
    package var subject: String
    package var body: String
    package var messageID: String
    package var inReplyTo: String?
    package var references: [String]
    package var state: String
    package var heldReason: String?
    package var attempts: Int
    package var runAt: Date
    package var leasedBy: String?
    package var lastError: String?
    package var providerRef: String?
    package var createdAt: Date
    package var sentAt: Date?
    package var finishedAt: Date?

    package init(id: UUID, idempotencyKey: String, complaintID: UUID?, customerID: UUID?, channel: String,
                 notice: String, urgent: Bool, recipient: String, subject: String, body: String, messageID: String,
                 inReplyTo: String?, references: [String], runAt: Date, heldReason: String?, createdAt: Date) {
        self.id = id
        self.idempotencyKey = idempotencyKey
        self.complaintID = complaintID
        self.customerID = customerID
        self.channel = channel
        self.notice = notice
        self.urgent = urgent
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        state = heldReason == nil ? "queued" : "held"
        self.heldReason = heldReason
        attempts = 0
        self.runAt = runAt
        self.createdAt = createdAt
    }
}

/// The outbound messages: queued inside the transaction that makes them necessary, claimed by a sender with a lease,
/// then sent, retried later, or given up — and the inbound ones, kept by the sender's id.
package enum MessageStore {
    static let columns = ["id", "idempotency_key", "complaint_id", "customer_id", "channel", "notice", "urgent", "recipient",
                          "subject", "body", "message_id", "in_reply_to", "refs", "state", "held_reason", "attempts",
                          "run_at", "leased_by", "last_error", "provider_ref", "created_at", "sent_at", "finished_at"]
    static let pending = "('queued', 'held', 'failed', 'sending')"

    /// Queues messages; one whose idempotency key is already there is not queued twice.
    package static func enqueue(_ rows: [OutboundRow], on db: any Database) async throws {
        try await BulkInsert.rows(into: "outbound_messages", columns: columns, rows.map {
            [$0.id, $0.idempotencyKey, $0.complaintID, $0.customerID, $0.channel, $0.notice, $0.urgent, $0.recipient,
             $0.subject, $0.body, $0.messageID, $0.inReplyTo, $0.references.isEmpty ? nil : $0.references.joined(separator: " "),
             $0.state, $0.heldReason, $0.attempts, $0.runAt, $0.leasedBy, $0.lastError, $0.providerRef, $0.createdAt,
             $0.sentAt, $0.finishedAt]
        }, ignoringConflictOn: "idempotency_key", on: db)
    }

    package static func anyDue(at now: Date, on db: any Database) async throws -> Bool {
        try await db.sql.raw("""
            SELECT 1 AS one FROM outbound_messages WHERE state IN \(unsafeRaw: pending) AND run_at <= \(bind: now) LIMIT 1
            """).first() != nil
    }

    /// Claims up to `limit` messages whose time has come, and those whose sender's lease ran out mid-send (their
    /// `attempts` tells the sender a send may already have happened).
    package static func claim(at now: Date, leaseEnd: Date, worker: String, limit: Int, on db: any Database)
        async throws -> [OutboundRow]
    {
        let locking = try RowLock.locksRows(db) ? " FOR UPDATE SKIP LOCKED" : ""
        return try await db.sql.raw("""
            UPDATE outbound_messages SET state = 'sending', run_at = \(bind: leaseEnd), leased_by = \(bind: worker),
                attempts = attempts + 1
            WHERE id IN (SELECT id FROM outbound_messages WHERE state IN \(unsafeRaw: pending) AND run_at <= \(bind: now)
                         ORDER BY run_at LIMIT \(bind: limit)\(unsafeRaw: locking))
            RETURNING \(unsafeRaw: columns.joined(separator: ", "))
            """).all().map(decode).sorted { ($0.runAt, $0.createdAt) < ($1.runAt, $1.createdAt) }
    }

    /// Sent (or found sent by a status query): true when `worker` still held it. `reportAt` is when to first ask
    /// the service whether it arrived (nil when the service cannot say).
    package static func sent(_ id: UUID, worker: String, ref: String?, at now: Date, reportAt: Date? = nil,
                             on db: any Database) async throws -> Bool {
        try await finish(id, worker: worker, set: """
            state = 'sent', provider_ref = \(bind: ref), sent_at = \(bind: now), finished_at = \(bind: now), last_error = NULL,
            report_at = \(bind: reportAt)
            """, on: db)
    }

    package static func retry(_ id: UUID, worker: String, at retryAt: Date, error: String, on db: any Database) async throws -> Bool {
        try await finish(id, worker: worker, set: "state = 'failed', run_at = \(bind: retryAt), last_error = \(bind: error)", on: db)
    }

    package static func bury(_ id: UUID, worker: String, at now: Date, error: String, on db: any Database) async throws -> Bool {
        try await finish(id, worker: worker, set: "state = 'dead', finished_at = \(bind: now), last_error = \(bind: error)", on: db)
    }

    private static func finish(_ id: UUID, worker: String, set: SQLQueryString, on db: any Database) async throws -> Bool {
        try await db.sql.raw("""
            UPDATE outbound_messages SET \(set), leased_by = NULL
            WHERE id = \(bind: id) AND state = 'sending' AND leased_by = \(bind: worker)
            RETURNING id
            """).all().count == 1
    }

    /// Claims up to `limit` messages whose delivery report is due, to be asked again at `next` unless it comes.
    /// A message sent more than a day ago (gateways keep reports for about that long), or no longer waiting for its
    /// report, is asked no more. Returns the messages still waiting, and how many were claimed in all.
    package static func claimReports(at now: Date, next: Date, limit: Int,
                                     on db: any Database) async throws -> (waiting: [OutboundRow], claimed: Int) {
        let locking = try RowLock.locksRows(db) ? " FOR UPDATE SKIP LOCKED" : ""
        let rows = try await db.sql.raw("""
            UPDATE outbound_messages
            SET report_at = CASE WHEN state <> 'sent' OR sent_at < \(bind: now.addingTimeInterval(-86_400)) THEN NULL
                                 ELSE \(bind: next) END
            WHERE id IN (SELECT id FROM outbound_messages WHERE report_at IS NOT NULL AND report_at <= \(bind: now)
                         ORDER BY report_at LIMIT \(bind: limit)\(unsafeRaw: locking))
            RETURNING report_at, \(unsafeRaw: columns.joined(separator: ", "))
            """).all()
        let waiting = try rows.filter { try $0.decodeNil(column: "report_at") == false }.map(decode)
        return (waiting, rows.count)
    }

    /// A delivery report: sent → delivered, or undelivered with the service's reason. False when it was settled already.
    package static func reported(_ id: UUID, delivered: Bool, error: String?, at now: Date, on db: any Database) async throws -> Bool {
        try await db.sql.raw("""
            UPDATE outbound_messages SET state = \(bind: delivered ? "delivered" : "undelivered"), last_error = \(bind: error),
                report_at = NULL, finished_at = \(bind: now)
            WHERE id = \(bind: id) AND state = 'sent' RETURNING id
            """).all().count == 1
    }

    /// The sent message a service's own reference names (a report the service pushes, not one we ask for).
    package static func sent(channel: String, ref: String, on db: any Database) async throws -> OutboundRow? {
        try await db.sql.select().columns(columns.map { SQLColumn($0) }).from("outbound_messages")
            .where("channel", .equal, SQLBind(channel)).where("provider_ref", .equal, SQLBind(ref))
            .where("state", .equal, SQLBind("sent")).limit(1).first().map(decode)
    }

    /// An admin sends a dead (or undelivered) message again, with a full set of attempts.
    package static func revive(_ id: UUID, at now: Date, on db: any Database) async throws -> OutboundRow? {
        try await db.sql.raw("""
            UPDATE outbound_messages SET state = 'queued', attempts = 0, run_at = \(bind: now), finished_at = NULL, report_at = NULL
            WHERE id = \(bind: id) AND state IN ('dead', 'undelivered')
            RETURNING \(unsafeRaw: columns.joined(separator: ", "))
            """).first().map(decode)
    }

    /// When this customer's proactive notices on this complaint went or will go, since `since`.
    package static func proactiveTimes(customerID: UUID, complaintID: UUID, since: Date, on db: any Database) async throws -> [Date] {
        let proactive = NoticeKind.allCases.filter(\.proactive).map { "'\($0.rawValue)'" }.joined(separator: ", ")
        return try await db.sql.raw("""
            SELECT COALESCE(sent_at, run_at) AS at FROM outbound_messages
            WHERE customer_id = \(bind: customerID) AND complaint_id = \(bind: complaintID)
              AND notice IN (\(unsafeRaw: proactive)) AND state <> 'dead' AND run_at >= \(bind: since)
            """).all().map { try $0.decode(column: "at", as: Date.self) }
    }

    /// When the customer last wrote on this complaint (filed it, or a message since).
    package static func customerWrote(complaintID: UUID, on db: any Database) async throws -> Date? {
        try await db.sql.raw("""
            SELECT MAX(at) AS at FROM complaint_events
            WHERE complaint_id = \(bind: complaintID) AND kind IN ('created', 'customer_message')
            """).first()?.decode(column: "at", as: Date?.self)
    }

    /// Messages in one state (or every state), newest first.
    package static func list(state: String?, limit: Int, on db: any Database) async throws -> [OutboundRow] {
        var query = try db.sql.select().columns(columns.map { SQLColumn($0) }).from("outbound_messages")
        if let state { query = query.where("state", .equal, SQLBind(state)) }
        return try await query.orderBy("created_at", .descending).limit(limit).all().map(decode)
    }

    package static func list(complaintID: UUID, on db: any Database) async throws -> [OutboundRow] {
        try await db.sql.select().columns(columns.map { SQLColumn($0) }).from("outbound_messages")
            .where("complaint_id", .equal, SQLBind(complaintID)).orderBy("created_at").limit(200).all().map(decode)
    }

    package static func counts(on db: any Database) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await db.sql.raw("SELECT state, COUNT(*) AS n FROM outbound_messages GROUP BY state").all() {
            counts[try row.decode(column: "state", as: String.self)] = try row.decode(column: "n", as: Int.self)
        }
        return counts
    }

    /// The complaint one of our messages (by its Message-ID) belongs to.
    package static func complaint(answering ids: [String], on db: any Database) async throws -> UUID? {
        guard !ids.isEmpty else { return nil }
        let rows = try await db.sql.select().columns("message_id", "complaint_id").from("outbound_messages")
            .where("message_id", .in, SQLBind.group(ids)).all()
        let found = try rows.reduce(into: [String: UUID]()) { map, row in
            if let c = try row.decode(column: "complaint_id", as: UUID?.self) { map[try row.decode(column: "message_id", as: String.self)] = c }
        }
        return ids.lazy.compactMap { found[$0] }.first
    }

    static func decode(_ row: any SQLRow) throws -> OutboundRow {
        var m = OutboundRow(
            id: try row.decode(column: "id", as: UUID.self), idempotencyKey: try row.decode(column: "idempotency_key", as: String.self),
            complaintID: try row.decode(column: "complaint_id", as: UUID?.self),
            customerID: try row.decode(column: "customer_id", as: UUID?.self),
            channel: try row.decode(column: "channel", as: String.self), notice: try row.decode(column: "notice", as: String.self),
            urgent: try row.decode(column: "urgent", as: Bool.self), recipient: try row.decode(column: "recipient", as: String.self),
            subject: try row.decode(column: "subject", as: String.self), body: try row.decode(column: "body", as: String.self),
            messageID: try row.decode(column: "message_id", as: String.self),
            inReplyTo: try row.decode(column: "in_reply_to", as: String?.self),
            references: (try row.decode(column: "refs", as: String?.self))?.split(separator: " ").map(String.init) ?? [],
            runAt: try row.decode(column: "run_at", as: Date.self), heldReason: try row.decode(column: "held_reason", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: Date.self))
        m.state = try row.decode(column: "state", as: String.self)
        m.attempts = try row.decode(column: "attempts", as: Int.self)
        m.leasedBy = try row.decode(column: "leased_by", as: String?.self)
        m.lastError = try row.decode(column: "last_error", as: String?.self)
        m.providerRef = try row.decode(column: "provider_ref", as: String?.self)
        m.sentAt = try row.decode(column: "sent_at", as: Date?.self)
        m.finishedAt = try row.decode(column: "finished_at", as: Date?.self)
        return m
    }
}

/// An inbound message as kept: who sent it, what became of it.
package enum InboundStore {
    /// The earlier outcome for this sender's id, if the message came before.
    package static func find(channel: String, externalID: String, on db: any Database) async throws -> (complaintID: UUID?, outcome: String)? {
        try await db.sql.select().columns("complaint_id", "outcome").from("inbound_messages")
            .where("channel", .equal, SQLBind(channel)).where("external_id", .equal, SQLBind(externalID))
            .first().map { (try $0.decode(column: "complaint_id", as: UUID?.self), try $0.decode(column: "outcome", as: String.self)) }
    }

    package static func record(id: UUID, channel: String, externalID: String, complaintID: UUID?, sender: String,
                               outcome: String, reason: String?, at now: Date, on db: any Database) async throws {
        try await db.sql.insert(into: "inbound_messages")
            .columns("id", "channel", "external_id", "complaint_id", "sender", "outcome", "reason", "received_at")
            .values(SQLBind(id), SQLBind(channel), SQLBind(externalID), SQLBind(complaintID), SQLBind(sender),
                    SQLBind(outcome), SQLBind(reason), SQLBind(now))
            .run()
    }

    /// How many messages this sender sent since `since` — the per-sender rate.
    package static func count(sender: String, since: Date, on db: any Database) async throws -> Int {
        try await db.sql.raw("""
            SELECT COUNT(*) AS n FROM inbound_messages WHERE sender = \(bind: sender) AND received_at >= \(bind: since)
            """).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// The Message-IDs a customer's e-mails on this complaint came with, newest first: what a reply answers.
    package static func externalIDs(complaintID: UUID, channel: String, on db: any Database) async throws -> [String] {
        try await db.sql.select().column("external_id").from("inbound_messages")
            .where("complaint_id", .equal, SQLBind(complaintID)).where("channel", .equal, SQLBind(channel))
            .where("outcome", .in, SQLBind.group(["stored", "joined"]))
            .orderBy("received_at", .descending).limit(20).all().map { try $0.decode(column: "external_id", as: String.self) }
    }
}
