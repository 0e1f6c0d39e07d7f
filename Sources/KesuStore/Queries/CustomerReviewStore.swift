import FluentKit
import Foundation
import KesuCore
import SQLKit

/// A review of a customer (黑名单复核) as stored.
package struct CustomerReviewRow: Sendable, Equatable {
    package var id: UUID
    package var customerID: UUID
    package var state: String
    package var openedByID: UUID
    package var openedByName: String
    package var openedAt: Date
    package var openedReason: String
    package var signals: [MaliceSignal]
    package var decidedByID: UUID?
    package var decidedByName: String?
    package var decidedAt: Date?
    package var decisionReason: String?
    package var evidence: String?
    package var expiresAt: Date?
    package var liftedAt: Date?
    // Read with it.
    package var customerName = ""
    package var customerPhone = ""

    package init(id: UUID, customerID: UUID, openedByID: UUID, openedByName: String, openedAt: Date, openedReason: String,
                 signals: [MaliceSignal]) {
        self.id = id
        self.customerID = customerID
        self.state = "open"
        self.openedByID = openedByID
        self.openedByName = openedByName
        self.openedAt = openedAt
        self.openedReason = openedReason
        self.signals = signals
    }

    /// Listed and not expired or lifted at `now`.
    package func lists(at now: Date) -> Bool { state == "listed" && (expiresAt ?? .distantPast) > now }
}

package struct CustomerReviewEntry: Sendable, Equatable {
    package var id: UUID, reviewID: UUID, at: Date, byID: UUID?, byName: String, kind: String, note: String?

    package init(id: UUID, reviewID: UUID, at: Date, byID: UUID?, byName: String, kind: String, note: String?) {
        (self.id, self.reviewID, self.at, self.byID, self.byName, self.kind, self.note) = (id, reviewID, at, byID, byName, kind, note)
    }
}

/// A customer's complaints as the signals read them.
package struct CustomerComplaintFacts: Sendable {
    package var record: CustomerRecord
    package var name: String
}

package enum CustomerReviewStore {
    package static func insert(_ r: CustomerReviewRow, on db: any Database) async throws {
        let signals = String(decoding: try JSONEncoder().encode(r.signals), as: UTF8.self)
        try await db.sql.raw("""
            INSERT INTO customer_reviews (id, customer_id, state, opened_by_id, opened_by_name, opened_at, opened_reason, signals)
            VALUES (\(bind: r.id), \(bind: r.customerID), \(bind: r.state), \(bind: r.openedByID), \(bind: r.openedByName),
                \(bind: r.openedAt), \(bind: r.openedReason), \(bind: signals))
            """).run()
    }

    package static func update(_ r: CustomerReviewRow, on db: any Database) async throws {
        try await db.sql.raw("""
            UPDATE customer_reviews SET state = \(bind: r.state), decided_by_id = \(bind: r.decidedByID),
                decided_by_name = \(bind: r.decidedByName), decided_at = \(bind: r.decidedAt),
                decision_reason = \(bind: r.decisionReason), evidence = \(bind: r.evidence), expires_at = \(bind: r.expiresAt),
                lifted_at = \(bind: r.liftedAt)
            WHERE id = \(bind: r.id)
            """).run()
    }

    package static func insert(_ e: CustomerReviewEntry, on db: any Database) async throws {
        try await db.sql.raw("""
            INSERT INTO customer_review_entries (id, review_id, at, by_id, by_name, kind, note)
            VALUES (\(bind: e.id), \(bind: e.reviewID), \(bind: e.at), \(bind: e.byID), \(bind: e.byName), \(bind: e.kind), \(bind: e.note))
            """).run()
    }

    static let select: SQLQueryString = """
        SELECT r.*, c.name AS customer_name, c.phone AS customer_phone FROM customer_reviews r
        JOIN customers c ON c.id = r.customer_id
        """

    package static func find(_ id: UUID, on db: any Database) async throws -> CustomerReviewRow? {
        try await db.sql.raw("\(select) WHERE r.id = \(bind: id)").first().map(decode)
    }

    /// The customer's reviews, newest first.
    package static func reviews(of customerID: UUID, on db: any Database) async throws -> [CustomerReviewRow] {
        try await db.sql.raw("\(select) WHERE r.customer_id = \(bind: customerID) ORDER BY r.opened_at DESC").all().map(decode)
    }

    /// Reviews in `state` (open ones oldest first; others newest first).
    package static func list(state: String, limit: Int, on db: any Database) async throws -> [CustomerReviewRow] {
        let order: SQLQueryString = state == "open" ? "r.opened_at, r.id" : "r.opened_at DESC, r.id"
        return try await db.sql.raw("\(select) WHERE r.state = \(bind: state) ORDER BY \(order) LIMIT \(bind: limit)")
            .all().map(decode)
    }

    /// Whether a listing of the customer is in force at `now`.
    package static func isListed(_ customerID: UUID, at now: Date, on db: any Database) async throws -> Bool {
        try await db.sql.raw("""
            SELECT id FROM customer_reviews WHERE customer_id = \(bind: customerID) AND state = 'listed'
                AND expires_at > \(bind: now) LIMIT 1
            """).first() != nil
    }

    /// Whether `scope` sees any complaint of the customer (what lets staff see the customer's signals and reviews).
    package static func sees(_ customerID: UUID, scope: VisibilityScope, on db: any Database) async throws -> Bool {
        let visible = scope.condition(owner: "scope_path", complaint: "id")
        return try await db.sql.raw("""
            SELECT id FROM complaints WHERE customer_id = \(bind: customerID) AND \(visible) LIMIT 1
            """).first() != nil
    }

    package static func entries(of reviewID: UUID, on db: any Database) async throws -> [CustomerReviewEntry] {
        try await db.sql.raw("SELECT * FROM customer_review_entries WHERE review_id = \(bind: reviewID) ORDER BY at, id")
            .all().map { row in
                CustomerReviewEntry(id: try row.decode(column: "id", as: UUID.self),
                                    reviewID: try row.decode(column: "review_id", as: UUID.self),
                                    at: try row.decode(column: "at", as: Date.self), byID: try row.decode(column: "by_id", as: UUID?.self),
                                    byName: try row.decode(column: "by_name", as: String.self),
                                    kind: try row.decode(column: "kind", as: String.self),
                                    note: try row.decode(column: "note", as: String?.self))
            }
    }

    /// What the signals read of a customer since `since`: each complaint's number, time, waybills, description and
    /// the customer's own messages, the rules' cap from its first waybill's shipment, and the proposals they answered
    /// — three queries.
    package static func facts(of customerID: UUID, since: Date, on db: any Database) async throws -> CustomerRecord {
        let rows = try await db.sql.raw("""
            SELECT k.id, k.number, k.received_at, k.waybills, k.description, s.service_fee_fen, s.insured_value_fen
            FROM complaints k
            LEFT JOIN shipments s ON s.waybill = (SELECT MIN(w.waybill) FROM complaint_waybills w WHERE w.complaint_id = k.id)
            WHERE k.customer_id = \(bind: customerID) AND k.received_at >= \(bind: since)
            ORDER BY k.received_at LIMIT 200
            """).all()
        var complaints: [UUID: CustomerRecord.Complaint] = [:]
        var order: [UUID] = []
        for row in rows {
            let id = try row.decode(column: "id", as: UUID.self)
            let fee = try row.decode(column: "service_fee_fen", as: Int64?.self)
            let insured = try row.decode(column: "insured_value_fen", as: Int64?.self)
            complaints[id] = CustomerRecord.Complaint(
                number: try row.decode(column: "number", as: String.self),
                receivedAt: try row.decode(column: "received_at", as: Date.self),
                waybills: try row.decode(column: "waybills", as: String.self).split(separator: ",").map(String.init),
                text: try row.decode(column: "description", as: String.self),
                rulesCapFen: insured ?? fee.map { $0 * 3 })
            order.append(id)
        }
        guard !order.isEmpty else { return CustomerRecord(complaints: []) }
        let ids = SQLList(order.map { SQLBind($0) })
        for row in try await db.sql.raw("""
            SELECT complaint_id, note FROM complaint_events WHERE complaint_id IN (\(ids)) AND kind = 'customer_message'
            """).all() {
            let id = try row.decode(column: "complaint_id", as: UUID.self)
            if let note = try row.decode(column: "note", as: String?.self) { complaints[id]?.text += "\n" + note }
        }
        let answered = try await db.sql.raw("""
            SELECT COALESCE(SUM(CASE WHEN state = 'rejected' THEN 1 ELSE 0 END), 0) AS refused,
                COALESCE(SUM(CASE WHEN state = 'accepted' THEN 1 ELSE 0 END), 0) AS accepted
            FROM proposals WHERE complaint_id IN (\(ids))
            """).first()
        return CustomerRecord(complaints: order.compactMap { complaints[$0] },
                              proposalsRefused: Int(try answered?.decode(column: "refused", as: Int64.self) ?? 0),
                              proposalsAccepted: Int(try answered?.decode(column: "accepted", as: Int64.self) ?? 0))
    }

    static func decode(_ row: any SQLRow) throws -> CustomerReviewRow {
        let signals = (try? JSONDecoder().decode([MaliceSignal].self,
                                                 from: Data(try row.decode(column: "signals", as: String.self).utf8))) ?? []
        var r = CustomerReviewRow(
            id: try row.decode(column: "id", as: UUID.self), customerID: try row.decode(column: "customer_id", as: UUID.self),
            openedByID: try row.decode(column: "opened_by_id", as: UUID.self),
            openedByName: try row.decode(column: "opened_by_name", as: String.self),
            openedAt: try row.decode(column: "opened_at", as: Date.self),
            openedReason: try row.decode(column: "opened_reason", as: String.self), signals: signals)
        r.state = try row.decode(column: "state", as: String.self)
        r.decidedByID = try row.decode(column: "decided_by_id", as: UUID?.self)
        r.decidedByName = try row.decode(column: "decided_by_name", as: String?.self)
        r.decidedAt = try row.decode(column: "decided_at", as: Date?.self)
        r.decisionReason = try row.decode(column: "decision_reason", as: String?.self)
        r.evidence = try row.decode(column: "evidence", as: String?.self)
        r.expiresAt = try row.decode(column: "expires_at", as: Date?.self)
        r.liftedAt = try row.decode(column: "lifted_at", as: Date?.self)
        r.customerName = (try? row.decode(column: "customer_name", as: String.self)) ?? ""
        r.customerPhone = (try? row.decode(column: "customer_phone", as: String.self)) ?? ""
        return r
    }
}
