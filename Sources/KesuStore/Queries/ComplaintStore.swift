import FluentKit
import Foundation
import SQLKit

/// Reads and writes complaints, their waybill index and their timeline. Decides nothing: the caller has.
package enum ComplaintStore {
    /// The complaint with this number, with customer, assignee and outlet loaded.
    package static func find(number: String, on db: any Database) async throws -> ComplaintModel? {
        try await ComplaintModel.query(on: db)
            .filter(\.$number == number)
            .with(\.$customer).with(\.$assignee).with(\.$outlet)
            .first()
    }

    package static func find(id: UUID, on db: any Database) async throws -> ComplaintModel? {
        try await ComplaintModel.query(on: db)
            .filter(\.$id == id)
            .with(\.$customer).with(\.$assignee).with(\.$outlet)
            .first()
    }

    /// The complaint's whole timeline, oldest first.
    package static func timeline(of complaintID: UUID, on db: any Database) async throws -> [ComplaintEventModel] {
        try await ComplaintEventModel.query(on: db)
            .filter(\.$complaintID == complaintID)
            .sort(\.$at).sort(\.$id)
            .all()
    }

    /// The complaints recorded against a waybill number.
    package static func complaintIDs(waybill: String, on db: any Database) async throws -> [UUID] {
        try await ComplaintWaybillModel.query(on: db)
            .filter(\.$waybill == waybill)
            .limit(1_000)
            .all()
            .map(\.complaintID)
    }

    /// Whether an earlier complaint exists on one of these waybills, or from this customer since `since`.
    package static func hasPrior(customerID: UUID?, waybills: [String], since: Date, on db: any Database)
        async throws -> Bool
    {
        if !waybills.isEmpty {
            let onWaybill = try await ComplaintWaybillModel.query(on: db).filter(\.$waybill ~~ waybills).first()
            if onWaybill != nil { return true }
        }
        guard let customerID else { return false }
        let recent = try await ComplaintModel.query(on: db)
            .filter(\.$customer.$id == customerID)
            .filter(\.$receivedAt >= since)
            .first()
        return recent != nil
    }

    /// Inserts a new complaint with its waybill index rows, first timeline events and search index entry.
    package static func insert(_ complaint: ComplaintModel, events: [ComplaintEventModel], ids: () -> UUID,
                               on db: any Database) async throws
    {
        try await complaint.create(on: db)
        guard let id = complaint.id else { throw KesuStoreError("complaint inserted without an id") }
        let links = complaint.waybillList.map { ComplaintWaybillModel(id: ids(), complaintID: id, waybill: $0) }
        if !links.isEmpty { try await links.create(on: db) }
        try await append(events, on: db)
        try await db.sql.raw("""
            UPDATE customers SET complaint_count = complaint_count + 1 WHERE id = \(bind: complaint.$customer.id)
            """).run()
        try await SearchIndex.refresh([id], on: db)
    }

    /// Appends timeline events; they are never changed or deleted afterwards.
    package static func append(_ events: [ComplaintEventModel], on db: any Database) async throws {
        guard !events.isEmpty else { return }
        try await events.create(on: db)
    }
}

extension ComplaintEventModel {
    /// A timeline event; `before` and `after` are the changed fields.
    package convenience init(id: UUID, complaintID: UUID, at: Date, actorID: UUID?, actorName: String?,
                             kind: String, customerVisible: Bool, note: String? = nil,
                             before: [String: String]? = nil, after: [String: String]? = nil)
    {
        self.init()
        self.id = id
        self.complaintID = complaintID
        self.at = at
        self.actorID = actorID
        self.actorName = actorName
        self.kind = kind
        self.customerVisible = customerVisible
        self.note = note
        self.before = before.flatMap(Self.json)
        self.after = after.flatMap(Self.json)
    }

    static func json(_ fields: [String: String]) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(fields)).flatMap { String(data: $0, encoding: .utf8) }
    }

    package var beforeFields: [String: String]? { before.flatMap(Self.fields) }
    package var afterFields: [String: String]? { after.flatMap(Self.fields) }

    static func fields(_ json: String) -> [String: String]? {
        try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))
    }
}

/// Customers, matched by phone number.
package enum CustomerStore {
    /// The customer with this phone, created when new; a new email is remembered.
    package static func matchOrCreate(phone: String, name: String, email: String?, id: UUID, now: Date,
                                      on db: any Database) async throws -> CustomerModel
    {
        if let found = try await CustomerModel.query(on: db).filter(\.$phone == phone).first() {
            if let email, found.email != email {
                found.email = email
                try await found.update(on: db)
            }
            return found
        }
        try await db.sql.raw("""
            INSERT INTO customers (id, phone, name, email, kind, complaint_count, created_at)
            VALUES (\(bind: id), \(bind: phone), \(bind: name), \(bind: email), 'individual', 0, \(bind: now))
            ON CONFLICT (phone) DO NOTHING
            """).run()
        guard let customer = try await CustomerModel.query(on: db).filter(\.$phone == phone).first() else {
            throw KesuStoreError("customer \(phone) vanished after insert")
        }
        return customer
    }
}
