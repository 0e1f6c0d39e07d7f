import FluentKit
import SQLKit

/// 全文检索 — the search index (`SearchIndex`): on SQLite a contentless FTS5 table with an integer key per
/// complaint, on PostgreSQL a `tsvector` column of complaints with a GIN index. Complaints already there are indexed.
struct CreateSearchIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sql
        if SearchIndex.isSQLite(sql) {
            try await sql.raw("""
                CREATE TABLE complaint_search_keys (seq INTEGER PRIMARY KEY, complaint_id BLOB NOT NULL UNIQUE)
                """).run()
            try await sql.raw("""
                CREATE VIRTUAL TABLE complaint_search USING fts5(terms, chars, content='', contentless_delete=1,
                tokenize='unicode61 remove_diacritics 0')
                """).run()
        } else {
            try await sql.raw("ALTER TABLE complaints ADD COLUMN search_terms tsvector").run()
            try await sql.raw("CREATE INDEX complaints_search_terms ON complaints USING gin (search_terms)").run()
        }
        try await SearchIndex.refreshAll(on: database)
    }

    func revert(on database: any Database) async throws {
        let sql = try database.sql
        if SearchIndex.isSQLite(sql) {
            try await sql.raw("DROP TABLE complaint_search").run()
            try await sql.raw("DROP TABLE complaint_search_keys").run()
        } else {
            try await sql.raw("DROP INDEX complaints_search_terms").run()
            try await sql.raw("ALTER TABLE complaints DROP COLUMN search_terms").run()
        }
    }
}
