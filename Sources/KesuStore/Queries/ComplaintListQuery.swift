import FluentKit
import KesuCore
import Foundation
import SQLKit

/// A position in the newest-first list: the last row's (received_at, id).
package struct ListCursor: Sendable, Equatable {
    package var receivedAtMillis: Int64
    package var id: UUID

    package init(receivedAtMillis: Int64, id: UUID) {
        self.receivedAtMillis = receivedAtMillis
        self.id = id
    }

    /// An opaque token: base64url of `millis.uuid`.
    package var token: String { CursorToken.encode("\(receivedAtMillis).\(id.uuidString)") }

    package init?(token: String) {
        guard let text = CursorToken.decode(token, limit: 200) else { return nil }
        let parts = text.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let ms = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else { return nil }
        self.init(receivedAtMillis: ms, id: id)
    }
}

/// The text inside a paging cursor's opaque token: base64url without padding, so it sits in a query string as is.
enum CursorToken {
    static func encode(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The text of `token`; nil when it is longer than `limit` or not base64url of UTF-8.
    static func decode(_ token: String, limit: Int) -> String? {
        guard token.count < limit else { return nil }
        var b64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        return Data(base64Encoded: b64).flatMap { String(data: $0, encoding: .utf8) }
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
    /// Words and phrases the complaint's text holds, every one (the search index: `SearchIndex`).
    package var words: [SearchQuery.Clause] = []
    /// Words and phrases it must not hold.
    package var withoutWords: [SearchQuery.Clause] = []
    /// Whether `words` are held by many complaints (`SearchIndex.isCommon`), which changes how they are looked up.
    package var wordsAreCommon = false
    package var receivedFrom: Date?
    package var receivedTo: Date?
    /// Only complaints not closed (true), only closed ones (false), or both (nil).
    package var open: Bool?
    /// Complaints carrying every one of these flags (repeat, regulator, media_risk…).
    package var flags: [String] = []
    /// Complaints owned under this unit path (a region, an outlet).
    package var underPath: String?
    /// Complaints assigned to someone of this unit (a team).
    package var assigneeUnitID: UUID?
    package var scope: VisibilityScope = .all
    package var cursor: ListCursor?
    package var limit = 50

    package init() {}
}

extension ComplaintListQuery {
    /// The select with every filter of the query applied (no order, cursor or limit).
    func filtered(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
        var q = select
        func column(_ name: String) -> SQLColumn { SQLColumn(name, table: "complaints") }
        for (name, value) in [("status", status), ("category", category), ("priority", priority), ("channel", channel)] {
            if let value { q = q.where(column(name), .equal, SQLBind(value)) }
        }
        if let assigneeID { q = q.where(column("assignee_id"), .equal, SQLBind(assigneeID)) }
        if unassigned { q = q.where(column("assignee_id"), .is, SQLLiteral.null) }
        if let outletID { q = q.where(column("outlet_id"), .equal, SQLBind(outletID)) }
        if let customerID { q = q.where(column("customer_id"), .equal, SQLBind(customerID)) }
        if let complaintIDs { q = q.where(column("id"), .in, SQLGroupExpression(complaintIDs.map { SQLBind($0) })) }
        for condition in SearchIndex.conditions(include: words, exclude: withoutWords, common: wordsAreCommon,
                                                        on: q.database) {
            q = q.where(condition)
        }
        if let receivedFrom { q = q.where(column("received_at"), .greaterThanOrEqual, SQLBind(receivedFrom)) }
        if let receivedTo { q = q.where(column("received_at"), .lessThan, SQLBind(receivedTo)) }
        if let open {
            // Spelled as a constant so the partial index of open complaints matches it on both databases.
            q = q.where(SQLRaw(open ? "complaints.status <> 'closed'" : "complaints.status = 'closed'"))
        }
        // Flags are stored comma-separated; a flag is a word of letters and underscores.
        for flag in flags where !flag.isEmpty && flag.allSatisfy({ $0 == "_" || ("a"..."z").contains($0) }) {
            q = q.where(SQLRaw("(',' || complaints.flags || ',')"), .like, SQLBind("%," + flag + ",%"))
        }
        if let underPath { q = q.where(column("scope_path"), .like, SQLBind(underPath + "%")) }
        if let assigneeUnitID {
            q = q.where("complaints.assignee_id IN (SELECT id FROM users WHERE unit_id = \(bind: assigneeUnitID))"
                as SQLQueryString)
        }
        if scope != .all { q = q.where(scope.condition(owner: "complaints.scope_path", complaint: "complaints.id")) }
        return q
    }
}

extension Date {
    /// The date rounded to whole milliseconds: how Kesu stores every time, so cursors compare exactly.
    package var roundedToMillis: Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
    package var millis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    package init(millis: Int64) { self.init(timeIntervalSince1970: Double(millis) / 1000) }
}

extension ComplaintListQuery {
    /// One page, newest first, in one query; the cursor is set when more follow.
    package func run(on db: any Database) async throws -> (rows: [ComplaintRow], next: ListCursor?) {
        if let ids = complaintIDs, ids.isEmpty { return ([], nil) }
        var q = filtered(ComplaintRow.select(on: try db.sql))
        func column(_ name: String) -> SQLColumn { SQLColumn(name, table: "complaints") }
        if let cursor {
            // (received_at, id) < (at, id), spelled so both databases seek the index to the cursor instead of
            // scanning from the newest row.
            let at = Date(millis: cursor.receivedAtMillis)
            q = q.where(column("received_at"), .lessThanOrEqual, SQLBind(at))
                .where { or in
                    or.where(column("received_at"), .lessThan, SQLBind(at))
                        .orWhere(column("id"), .lessThan, SQLBind(cursor.id))
                }
        }
        let rows = try await q
            .orderBy(SQLOrderBy(expression: column("received_at"), direction: SQLDirection.descending))
            .orderBy(SQLOrderBy(expression: column("id"), direction: SQLDirection.descending))
            .limit(limit + 1)
            .all()
            .map(ComplaintRow.init)
        guard rows.count > limit else { return (rows, nil) }
        let page = Array(rows.prefix(limit))
        let last = page[page.count - 1]
        return (page, ListCursor(receivedAtMillis: last.receivedAt.millis, id: last.id))
    }
}
