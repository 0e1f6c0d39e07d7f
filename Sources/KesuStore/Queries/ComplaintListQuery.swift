import FluentKit
import Foundation

/// Which complaints a user may see: everything, one outlet's, or a subtree of the organisation.
package enum VisibilityScope: Sendable, Equatable {
    case all
    case outlet(UUID)
    case subtree(path: String)
}

/// A position in the newest-first list: the last row's (received_at, id).
package struct ListCursor: Sendable, Equatable {
    package var receivedAtMillis: Int64
    package var id: UUID

    package init(receivedAtMillis: Int64, id: UUID) {
        self.receivedAtMillis = receivedAtMillis
        self.id = id
    }

    /// An opaque token: base64url of `millis.uuid`.
    package var token: String {
        Data("\(receivedAtMillis).\(id.uuidString)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    package init?(token: String) {
        var b64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard token.count < 200, let data = Data(base64Encoded: b64), let text = String(data: data, encoding: .utf8)
        else { return nil }
        let parts = text.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let ms = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else { return nil }
        self.init(receivedAtMillis: ms, id: id)
    }
}

/// The filters of the complaint list; every one is served by an index ending in (received_at, id).
package struct ComplaintListQuery: Sendable {
    package var status: String?
    package var category: String?
    package var priority: String?
    package var channel: String?
    package var assigneeID: UUID?
    package var unassigned = false
    package var outletID: UUID?
    package var customerID: UUID?
    /// Restricts to these complaints (found by waybill first); an empty list matches nothing.
    package var complaintIDs: [UUID]?
    package var receivedFrom: Date?
    package var receivedTo: Date?
    package var scope: VisibilityScope = .all
    package var cursor: ListCursor?
    package var limit = 50

    package init() {}
}

extension Date {
    /// The date rounded to whole milliseconds: how Kesu stores every time, so cursors compare exactly.
    package var roundedToMillis: Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
    package var millis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    package init(millis: Int64) { self.init(timeIntervalSince1970: Double(millis) / 1000) }
}

extension ComplaintListQuery {
    /// One page, newest first, with customer, assignee and outlet loaded; the cursor is set when more follow.
    package func run(on db: any Database) async throws -> (rows: [ComplaintModel], next: ListCursor?) {
        if let ids = complaintIDs, ids.isEmpty { return ([], nil) }
        let q = ComplaintModel.query(on: db)
        if let status { q.filter(\.$status == status) }
        if let category { q.filter(\.$category == category) }
        if let priority { q.filter(\.$priority == priority) }
        if let channel { q.filter(\.$channel == channel) }
        if let assigneeID { q.filter(\.$assignee.$id == assigneeID) }
        if unassigned { q.filter(\.$assignee.$id == nil) }
        if let outletID { q.filter(\.$outlet.$id == outletID) }
        if let customerID { q.filter(\.$customer.$id == customerID) }
        if let complaintIDs { q.filter(\.$id ~~ complaintIDs) }
        if let receivedFrom { q.filter(\.$receivedAt >= receivedFrom) }
        if let receivedTo { q.filter(\.$receivedAt < receivedTo) }
        switch scope {
        case .all: break
        case .outlet(let id): q.filter(\.$outlet.$id == id)
        case .subtree(let path): q.filter(\.$scopePath =~ path)
        }
        if let cursor {
            let at = Date(millis: cursor.receivedAtMillis)
            // (received_at, id) < (at, id), spelled so both databases seek the index to the cursor instead of
            // scanning from the newest row.
            q.filter(\.$receivedAt <= at)
            q.group(.or) { or in
                or.filter(\.$receivedAt < at)
                or.filter(\.$id < cursor.id)
            }
        }
        let rows = try await q
            .sort(\.$receivedAt, .descending)
            .sort(\.$id, .descending)
            .limit(limit + 1)
            .with(\.$customer)
            .with(\.$assignee)
            .with(\.$outlet)
            .all()
        guard rows.count > limit else { return (rows, nil) }
        let page = Array(rows.prefix(limit))
        let last = page[page.count - 1]
        return (page, last.id.map { ListCursor(receivedAtMillis: last.receivedAt.millis, id: $0) })
    }
}
