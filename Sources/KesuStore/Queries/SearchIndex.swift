import FluentKit
import Foundation
import KesuCore
import SQLKit

/// 全文检索 — the complaints' search index, written in the same transaction as the complaint. One tokenizer
/// (`SearchTokens`) feeds an FTS5 table on SQLite and a GIN-indexed `tsvector` column on PostgreSQL; neither database
/// tokenizes: both get the tokens ready made, so two-character words such as 延误 are found on both.
///
/// SQLite: `complaint_search` (contentless FTS5, columns terms and chars) keyed by `complaint_search_keys.seq`, an
/// integer key that VACUUM keeps. PostgreSQL: `complaints.search_terms`, terms as plain lexemes, chars at weight B.
package enum SearchIndex {
    /// Indexes (again) these complaints: their number, description, customer's name and phone, and waybills.
    package static func refresh(_ ids: [UUID], on db: any Database) async throws {
        guard !ids.isEmpty else { return }
        let sql = try db.sql
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            let documents = try await self.documents(chunk, on: sql)
            if isSQLite(sql) {
                try await writeSQLite(documents, on: sql)
            } else {
                try await writePostgres(documents, on: sql)
            }
            start += chunk.count
        }
    }

    /// Indexes every complaint, a page at a time (the migration that adds search, for complaints already there).
    package static func refreshAll(on db: any Database) async throws {
        let sql = try db.sql
        var after: UUID?
        while true {
            var q = sql.select().column("id").from("complaints")
            if let after { q = q.where("id", .greaterThan, SQLBind(after)) }
            let ids = try await q.orderBy("id").limit(2_000).all().map { try $0.decode(column: "id", as: UUID.self) }
            guard let last = ids.last else { return }
            try await refresh(ids, on: db)
            after = last
        }
    }

    static func isSQLite(_ sql: any SQLDatabase) -> Bool { sql.dialect.name == "sqlite" }

    private static func documents(_ ids: [UUID], on sql: any SQLDatabase) async throws
        -> [(UUID, SearchTokens.Document)]
    {
        let binds = SQLGroupExpression(ids.map { SQLBind($0) })
        let rows = try await sql.raw("""
            SELECT c.id, c.number, c.description, cu.name, cu.phone FROM complaints c
            LEFT JOIN customers cu ON cu.id = c.customer_id WHERE c.id IN \(binds)
            """).all()
        var waybills: [UUID: [String]] = [:]
        for row in try await sql.raw("SELECT complaint_id, waybill FROM complaint_waybills WHERE complaint_id IN \(binds)")
            .all()
        {
            waybills[try row.decode(column: "complaint_id", as: UUID.self), default: []]
                .append(try row.decode(column: "waybill", as: String.self))
        }
        return try rows.map { row in
            let id = try row.decode(column: "id", as: UUID.self)
            let texts = [
                try row.decode(column: "number", as: String.self),
                try row.decode(column: "description", as: String.self),
                try row.decode(column: "name", as: String?.self) ?? "",
                try row.decode(column: "phone", as: String?.self) ?? "",
            ] + (waybills[id] ?? [])
            return (id, SearchTokens.document(texts))
        }
    }

    private static func writeSQLite(_ documents: [(UUID, SearchTokens.Document)], on sql: any SQLDatabase)
        async throws
    {
        guard !documents.isEmpty else { return }
        let ids = SQLGroupExpression(documents.map { SQLBind($0.0) })
        var insert = sql.insert(into: "complaint_search_keys").columns("complaint_id")
        for (id, _) in documents { insert = insert.values(SQLBind(id)) }
        try await insert.ignoringConflicts(with: "complaint_id").run()
        var seqs: [UUID: Int64] = [:]
        for row in try await sql.raw("SELECT seq, complaint_id FROM complaint_search_keys WHERE complaint_id IN \(ids)")
            .all()
        {
            seqs[try row.decode(column: "complaint_id", as: UUID.self)] = try row.decode(column: "seq", as: Int64.self)
        }
        let keys = SQLGroupExpression(seqs.values.map { SQLBind($0) })
        try await sql.raw("DELETE FROM complaint_search WHERE rowid IN \(keys)").run()
        var rows = sql.insert(into: "complaint_search").columns("rowid", "terms", "chars")
        for (id, doc) in documents {
            guard let seq = seqs[id] else { continue }
            rows = rows.values(SQLBind(seq), SQLBind(doc.terms.joined(separator: " ")),
                               SQLBind(doc.chars.joined(separator: " ")))
        }
        try await rows.run()
    }

    private static func writePostgres(_ documents: [(UUID, SearchTokens.Document)], on sql: any SQLDatabase)
        async throws
    {
        guard !documents.isEmpty else { return }
        let values = SQLList(documents.map { id, doc in SQLGroupExpression([SQLBind(id), SQLBind(tsvector(doc))]) })
        try await sql.raw("""
            UPDATE complaints SET search_terms = CAST(v.t AS tsvector) FROM (VALUES \(values)) AS v(id, t)
            WHERE complaints.id = v.id
            """).run()
    }

    /// The `tsvector` literal of `doc`: every lexeme with its positions (terms unweighted, chars at weight B), at
    /// most 255 positions a lexeme and positions up to 16,383, PostgreSQL's limits. The chars follow the terms after a
    /// gap, so a phrase never runs from one stream into the other.
    static func tsvector(_ doc: SearchTokens.Document) -> String {
        var positions: [String: [String]] = [:]
        var order: [String] = []
        func add(_ token: String, _ position: Int, weight: String) {
            guard position <= 16_383 else { return }
            if positions[token] == nil { order.append(token) }
            if positions[token, default: []].count < 255 { positions[token, default: []].append("\(position)\(weight)") }
        }
        for (i, t) in doc.terms.enumerated() { add(t, i + 1, weight: "") }
        for (i, c) in doc.chars.enumerated() { add(c, doc.terms.count + 2 + i, weight: "B") }
        return order.map { "\(lexeme($0)):\(positions[$0, default: []].joined(separator: ","))" }
            .joined(separator: " ")
    }

    static func lexeme(_ token: String) -> String {
        "'" + token.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }
}

extension SearchIndex {
    /// The conditions on `complaints` that `include` (all must match) and `exclude` (none may) put; none when the
    /// clauses hold no token (punctuation only).
    ///
    /// On SQLite, words most complaints hold (`common`) are checked complaint by complaint while the list is read
    /// newest first, so the first page is found after a few rows; rarer ones are looked up in the index first.
    static func conditions(include: [SearchQuery.Clause], exclude: [SearchQuery.Clause], common: Bool,
                           on sql: any SQLDatabase) -> [any SQLExpression]
    {
        let wanted = include.flatMap(SearchTokens.needs)
        let unwanted = exclude.map(SearchTokens.needs).filter { !$0.isEmpty }
        if isSQLite(sql) {
            func matching(_ needs: [SearchTokens.Need]) -> SQLQueryString {
                """
                SELECT k.complaint_id FROM complaint_search JOIN complaint_search_keys k ON k.seq = complaint_search.rowid \
                WHERE complaint_search MATCH \(bind: fts5(needs))
                """
            }
            var out: [any SQLExpression] = []
            if !wanted.isEmpty, common {
                out.append("""
                    EXISTS (SELECT 1 FROM complaint_search WHERE complaint_search MATCH \(bind: fts5(wanted)) AND \
                    complaint_search.rowid = (SELECT seq FROM complaint_search_keys WHERE complaint_id = complaints.id))
                    """ as SQLQueryString)
            } else if !wanted.isEmpty {
                out.append("complaints.id IN (\(matching(wanted)))" as SQLQueryString)
            }
            for needs in unwanted { out.append("complaints.id NOT IN (\(matching(needs)))" as SQLQueryString) }
            return out
        }
        var parts = wanted.isEmpty ? [] : ["(" + tsquery(wanted) + ")"]
        parts += unwanted.map { "!(" + tsquery($0) + ")" }
        guard !parts.isEmpty else { return [] }
        return ["complaints.search_terms @@ CAST(\(bind: parts.joined(separator: " & ")) AS tsquery)" as SQLQueryString]
    }

    /// Whether `include` matches more complaints than are worth looking up first (SQLite; PostgreSQL's planner
    /// weighs that itself from the column's statistics).
    package static func isCommon(_ include: [SearchQuery.Clause], on db: any Database) async throws -> Bool {
        let sql = try db.sql
        let wanted = include.flatMap(SearchTokens.needs)
        guard isSQLite(sql), !wanted.isEmpty else { return false }
        let row = try await sql.raw("""
            SELECT count(*) AS n FROM (SELECT rowid FROM complaint_search WHERE complaint_search MATCH \(bind: fts5(wanted))
            LIMIT \(unsafeRaw: String(commonAt)))
            """).first()
        return try (row?.decode(column: "n", as: Int.self) ?? 0) >= commonAt
    }

    /// How many matches make words common.
    static let commonAt = 2_000

    /// An FTS5 query requiring every need: `terms : "延误"`, `terms : "没有 有送 送货"`, `chars : "破"`.
    static func fts5(_ needs: [SearchTokens.Need]) -> String {
        needs.map { need in
            switch need {
            case .sequence(let tokens): "terms : \"" + tokens.joined(separator: " ") + "\""
            case .char(let c): "chars : \"" + c + "\""
            }
        }.joined(separator: " AND ")
    }

    /// A tsquery requiring every need: `'没有':D <-> '有送':D <-> '送货':D`, `'破':B`.
    static func tsquery(_ needs: [SearchTokens.Need]) -> String {
        needs.map { need in
            switch need {
            case .sequence(let tokens): "(" + tokens.map { lexeme($0) + ":D" }.joined(separator: " <-> ") + ")"
            case .char(let c): lexeme(c) + ":B"
            }
        }.joined(separator: " & ")
    }
}
