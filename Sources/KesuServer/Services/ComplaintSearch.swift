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
    /// What a person typed into the search box: a complaint number, a phone number or a waybill (it goes straight to
    /// those complaints), or a search in `SearchQuery`'s syntax (words, "phrases", -exclusions, field:value, dates).
    package var text: String?
    /// The company's time zone, in which a search's dates are days.
    package var timeZone = TimeZone(identifier: "Asia/Shanghai") ?? .current
    package var cursor: ListCursor?
    package var limit = 50

    package init() {}

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
            switch try await Self.apply(text: text, to: &query, on: db) {
            case true?: break
            case false?: return nil
            case nil: guard try await apply(SearchQuery.parse(text), to: &query, on: db) else { return nil }
            }
        }
        return query
    }

    /// Narrows `query` to the complaints whose number, customer's phone or waybill the whole text is; false when it is
    /// one of those that no complaint has; nil when the text is none of them (then it is searched for).
    private static func apply(text: String, to query: inout ComplaintListQuery, on db: any Database) async throws
        -> Bool?
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
        } else {
            return nil
        }
        return true
    }

    /// Narrows `query` by a parsed search: its words and phrases, its field filters (each must agree with the
    /// filter given beside it) and its dates; false when a field names nothing or contradicts another filter.
    private func apply(_ search: SearchQuery, to query: inout ComplaintListQuery, on db: any Database) async throws
        -> Bool
    {
        query.words = search.include
        query.withoutWords = search.exclude
        query.wordsAreCommon = try await SearchIndex.isCommon(search.include, on: db)
        func agree(_ current: inout String?, _ value: String?) -> Bool {
            guard let value else { return false }
            if let current, current != value { return false }
            current = value
            return true
        }
        for (field, value) in search.fields {
            switch field {
            case "status": guard agree(&query.status, ComplaintStatus(rawValue: value)?.rawValue) else { return false }
            case "category":
                guard agree(&query.category, ComplaintCategory(rawValue: value)?.rawValue) else { return false }
            case "priority":
                guard agree(&query.priority, Priority(rawValue: value.uppercased())?.rawValue) else { return false }
            case "channel": guard agree(&query.channel, KesuCore.Channel(rawValue: value)?.rawValue) else { return false }
            case "flag":
                let flag = value.lowercased()
                guard flag.allSatisfy({ $0 == "_" || ("a"..."z").contains($0) }) else { return false }
                query.flags.append(flag)
            case "outlet":
                guard let unit = try await OrgStore.find(code: value, on: db) else { return false }
                if let other = query.outletID, other != unit.id { return false }
                query.outletID = unit.id
            case "region":
                guard let unit = try await OrgStore.find(code: value, on: db) else { return false }
                query.underPath = unit.path
            case "assignee":
                if value == "none" { query.unassigned = true; continue }
                guard let user = try await UserModel.query(on: db).filter(\.$username == value).first() else {
                    return false
                }
                if let other = query.assigneeID, other != user.id { return false }
                query.assigneeID = user.id
            default: return false
            }
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        func start(_ day: LocalDay) -> Date? {
            calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))
        }
        if let from = search.receivedFrom.flatMap(start) { query.receivedFrom = max(query.receivedFrom ?? from, from) }
        if let before = search.receivedBefore.flatMap(start) { query.receivedTo = min(query.receivedTo ?? before, before) }
        return true
    }

    private static func customer(_ phone: PhoneNumber, on db: any Database) async throws -> UUID? {
        try await CustomerModel.query(on: db).filter(\.$phone == phone.digits).first()?.id
    }
}
