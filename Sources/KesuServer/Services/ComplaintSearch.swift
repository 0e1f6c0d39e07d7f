import Fluent
import Foundation
import KesuCore
import KesuStore

/// 工单查询 — the one way complaints are found, for the queue page and `GET /complaints` alike: the filters a user
/// gives, resolved against the people, units, customers and waybills they name, inside what the user may see.
package struct ComplaintSearch: Sendable {
    package var status: ComplaintStatus?
    package var category: ComplaintCategory?
    package var priority: Priority?
    package var channel: KesuCore.Channel?
    package var receivedFrom: Date?
    package var receivedTo: Date?
    /// A username, or `none` for unassigned complaints.
    package var assignee: String?
    package var assigneeID: UUID?
    /// An outlet's code.
    package var outlet: String?
    package var outletID: UUID?
    /// A region's (or any unit's) code: complaints owned under it.
    package var region: String?
    /// Complaints assigned to someone of this unit.
    package var teamUnitID: UUID?
    /// Open complaints only (true), closed only (false), both (nil).
    package var open: Bool?
    package var flags: [String] = []
    package var waybill: String?
    package var phone: String?
    /// What a person typed into the search box: a complaint number, a phone number, a waybill, or words of the
    /// description (2 to 50 characters).
    package var text: String?
    package var cursor: ListCursor?
    package var limit = 50

    package init() {}

    /// The shortest and longest words searched for in descriptions.
    package static let textLength = 2...50

    /// The list query for `actor`, or nil when a filter names nothing (an unknown user, outlet, phone, waybill or
    /// complaint number, or text too short to search for): then nothing matches.
    package func query(for actor: Actor, on db: any Database) async throws -> ComplaintListQuery? {
        var query = ComplaintListQuery()
        query.scope = AccessPolicy.scope(of: actor.principal)
        query.status = status?.rawValue
        query.category = category?.rawValue
        query.priority = priority?.rawValue
        query.channel = channel?.rawValue
        query.receivedFrom = receivedFrom
        query.receivedTo = receivedTo
        query.cursor = cursor
        query.limit = limit
        query.assigneeID = assigneeID
        query.outletID = outletID
        query.open = open
        query.flags = flags
        query.assigneeUnitID = teamUnitID
        if let region {
            guard let unit = try await OrgStore.find(code: region, on: db) else { return nil }
            query.underPath = unit.path
        }
        if let assignee {
            if assignee == "none" {
                query.unassigned = true
            } else {
                guard let user = try await UserModel.query(on: db).filter(\.$username == assignee).first() else {
                    return nil
                }
                query.assigneeID = user.id
            }
        }
        if let outlet {
            guard let unit = try await OrgStore.find(code: outlet, on: db) else { return nil }
            query.outletID = unit.id
        }
        if let waybill {
            guard let number = WaybillNumber.normalise(waybill) else { return nil }
            query.complaintIDs = try await ComplaintStore.complaintIDs(waybill: number, on: db)
        }
        if let phone {
            guard let number = PhoneNumber(phone), let customer = try await Self.customer(number, on: db) else {
                return nil
            }
            query.customerID = customer
        }
        if let text = text?.trimmed, !text.isEmpty {
            guard try await Self.apply(text: text, to: &query, on: db) else { return nil }
        }
        return query
    }

    /// Narrows `query` by the search box's text; false when the text can match nothing.
    private static func apply(text: String, to query: inout ComplaintListQuery, on db: any Database) async throws
        -> Bool
    {
        func restrict(to ids: [UUID]) {
            query.complaintIDs = query.complaintIDs.map { known in known.filter(ids.contains) } ?? ids
        }
        if let number = ComplaintNumber(text) {
            let found = try await ComplaintModel.query(on: db).filter(\.$number == number.rawValue).first()
            guard let id = found?.id else { return false }
            restrict(to: [id])
        } else if let phone = PhoneNumber(text) {
            guard let customer = try await customer(phone, on: db) else { return false }
            if let other = query.customerID, other != customer { return false }
            query.customerID = customer
        } else if let waybill = WaybillNumber.normalise(text),
                  case let ids = try await ComplaintStore.complaintIDs(waybill: waybill, on: db), !ids.isEmpty {
            restrict(to: ids)
        } else if textLength.contains(text.count) {
            // Words that look like a waybill no complaint names are still looked for in descriptions.
            query.descriptionContains = text
        } else {
            return false
        }
        return true
    }

    private static func customer(_ phone: PhoneNumber, on db: any Database) async throws -> UUID? {
        try await CustomerModel.query(on: db).filter(\.$phone == phone.digits).first()?.id
    }
}
