import FluentKit
import Foundation
import SQLKit

/// The orders the work list (工单列表) can be read in. Each is a keyset: its keys, then the id, so paging forwards
/// and backwards seeks instead of counting rows.
package enum ComplaintSort: String, CaseIterable, Sendable {
    /// Nearest deadline first — a breached one is the nearest — then priority; complaints without a running
    /// deadline last.
    case deadline
    /// Most urgent first (P1), then nearest deadline.
    case priority
    /// Oldest first.
    case age
    /// Most recently changed first.
    case updated
    /// Newest first.
    case newest

    struct Key {
        var column: String
        var ascending: Bool
        var nullable = false
        var isDate = true
    }

    var keys: [Key] {
        switch self {
        case .deadline: [Key(column: "due_at", ascending: true, nullable: true),
                         Key(column: "priority", ascending: true, isDate: false)]
        case .priority: [Key(column: "priority", ascending: true, isDate: false),
                         Key(column: "due_at", ascending: true, nullable: true)]
        case .age: [Key(column: "received_at", ascending: true)]
        case .updated: [Key(column: "updated_at", ascending: false)]
        case .newest: [Key(column: "received_at", ascending: false)]
        }
    }

    /// The values of a row's keys, as a cursor stores them (dates in whole milliseconds, as Kesu stores times).
    func values(of row: ComplaintRow) -> [String?] {
        keys.map { key in
            switch key.column {
            case "due_at": row.dueAt.map { String($0.millis) }
            case "priority": row.priority
            case "received_at": String(row.receivedAt.millis)
            default: String(row.updatedAt.millis)
            }
        }
    }
}

/// Where a page of the work list starts or ends: the keys of its edge row. Opaque to users.
package struct SortCursor: Sendable, Equatable {
    package var sort: ComplaintSort
    package var values: [String?]
    package var id: UUID

    package var token: String {
        let parts = [sort.rawValue] + values.map { $0.map { "v" + $0 } ?? "n" } + [id.uuidString]
        return CursorToken.encode(parts.joined(separator: "|"))
    }

    /// The cursor a token names, if it was made for `sort`.
    package init?(token: String, sort: ComplaintSort) {
        guard let text = CursorToken.decode(token, limit: 300) else { return nil }
        let parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == sort.keys.count + 2, parts[0] == sort.rawValue,
              let id = UUID(uuidString: parts[parts.count - 1]) else { return nil }
        var values: [String?] = []
        for (key, part) in zip(sort.keys, parts[1..<(parts.count - 1)]) {
            if part == "n", key.nullable { values.append(nil); continue }
            guard part.hasPrefix("v"), case let value = String(part.dropFirst()), !value.isEmpty,
                  !key.isDate || Int64(value) != nil else { return nil }
            values.append(value)
        }
        self.init(sort: sort, values: values, id: id)
    }

    init(sort: ComplaintSort, values: [String?], id: UUID) {
        self.sort = sort
        self.values = values
        self.id = id
    }
}

/// One page of the work list, with the cursors of the pages on either side.
package struct WorkListPage: Sendable {
    package var rows: [ComplaintRow]
    package var next: SortCursor?
    package var previous: SortCursor?
}

extension ComplaintListQuery {
    /// A page in `sort` order after `after`, or before `before` (the previous page), or the first page.
    package func page(sort: ComplaintSort, after: SortCursor? = nil, before: SortCursor? = nil,
                      on db: any Database) async throws -> WorkListPage {
        if let ids = complaintIDs, ids.isEmpty { return WorkListPage(rows: [], next: nil, previous: nil) }
        let backwards = before != nil
        var q = filtered(ComplaintRow.select(on: try db.sql))
        if let edge = before ?? after, edge.sort == sort {
            q = q.where(Self.beyond(edge, reversed: backwards))
        }
        for key in sort.keys {
            let ascending = key.ascending != backwards
            let direction = ascending ? "ASC" : "DESC"
            // Nulls last going forwards, first going back — spelled out, as both databases understand it, so an
            // index on (due_at, priority, id) serves the order in either direction on PostgreSQL.
            let nulls = key.nullable ? (backwards ? " NULLS FIRST" : " NULLS LAST") : ""
            q = q.orderBy(SQLRaw("complaints.\(key.column) \(direction)\(nulls)"))
        }
        q = q.orderBy(SQLOrderBy(expression: SQLColumn("id", table: "complaints"),
                                 direction: backwards ? SQLDirection.descending : SQLDirection.ascending))
        var rows = try await q.limit(limit + 1).all().map(ComplaintRow.init)
        let more = rows.count > limit
        if more { rows.removeLast() }
        if backwards { rows.reverse() }
        func cursor(_ row: ComplaintRow?) -> SortCursor? {
            row.map { SortCursor(sort: sort, values: sort.values(of: $0), id: $0.id) }
        }
        let hasNext = backwards || more
        let hasPrevious = backwards ? more : after != nil
        return WorkListPage(rows: rows, next: hasNext ? cursor(rows.last) : nil,
                            previous: hasPrevious ? cursor(rows.first) : nil)
    }

    /// Up to this many complaints are counted exactly; more read as "1000+".
    package static let countCap = 1_000

    /// How many complaints the filters match (what the page's heading says), in one aggregate that reads at most
    /// `countCap + 1` index entries: a number above the cap means "more than the cap".
    package func count(on db: any Database) async throws -> Int {
        if let ids = complaintIDs, ids.isEmpty { return 0 }
        let inner = filtered(try db.sql.select().column(SQLLiteral.numeric("1")).from("complaints"))
            .limit(Self.countCap + 1)
        return try await db.sql.raw("SELECT COUNT(*) AS n FROM (\(inner.select)) AS capped").first()?
            .decode(column: "n", as: Int.self) ?? 0
    }

    /// Rows strictly after `edge` in its order (or strictly before, `reversed`): the keyset condition
    /// k1 > v1 OR (k1 = v1 AND k2 > v2) OR … OR (all equal AND id > id), with nulls sorting last.
    static func beyond(_ edge: SortCursor, reversed: Bool) -> SQLQueryString {
        let keys = edge.sort.keys
        func column(_ name: String) -> SQLQueryString { "complaints.\(unsafeRaw: name)" }
        // A date compares by its millisecond: the stored value may carry floating-point noise a cursor does not.
        func compare(_ key: ComplaintSort.Key, _ value: String, _ op: String) -> SQLQueryString {
            let c = column(key.column)
            guard key.isDate else { return op == "=" ? "\(c) = \(bind: value)" : "\(c) \(unsafeRaw: op) \(bind: value)" }
            let ms = Double(Int64(value) ?? 0) / 1000
            let low = Date(timeIntervalSince1970: ms - 0.0005), high = Date(timeIntervalSince1970: ms + 0.0005)
            switch op {
            case ">": return "\(c) >= \(bind: high)"
            case "<": return "\(c) < \(bind: low)"
            default: return "(\(c) >= \(bind: low) AND \(c) < \(bind: high))"
            }
        }
        var alternatives: [SQLQueryString] = []
        var equal: [SQLQueryString] = []
        for (key, value) in zip(keys, edge.values) {
            let after = key.ascending != reversed ? ">" : "<"
            let nullsLast = !reversed
            var strictly: SQLQueryString?
            switch (value, nullsLast) {
            case (nil, true): strictly = nil
            case (nil, false): strictly = "\(column(key.column)) IS NOT NULL"
            case (let v?, true) where key.nullable:
                strictly = "(\(compare(key, v, after)) OR \(column(key.column)) IS NULL)"
            case (let v?, _): strictly = compare(key, v, after)
            }
            if let strictly { alternatives.append((equal + [strictly]).joined(separator: " AND ")) }
            equal.append(value.map { compare(key, $0, "=") } ?? "\(column(key.column)) IS NULL")
        }
        let idAfter = reversed ? "<" : ">"
        alternatives.append((equal + ["complaints.id \(unsafeRaw: idAfter) \(bind: edge.id)"]).joined(separator: " AND "))
        return "(" + alternatives.map { "(" + $0 + ")" }.joined(separator: " OR ") + ")"
    }
}
