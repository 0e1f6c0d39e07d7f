import FluentKit
import SQLKit

/// Multi-row inserts for loading many rows at once (demo data, imports), chunked under the bind limits of
/// SQLite (32,766) and PostgreSQL (65,535).
package enum BulkInsert {
    package static func rows(into table: String, columns: [String], _ rows: [[any Encodable & Sendable]],
                             ignoringConflictOn conflict: String? = nil, on db: any Database) async throws
    {
        guard !rows.isEmpty else { return }
        let sql = try db.sql
        let perStatement = max(1, 30_000 / columns.count)
        var start = 0
        while start < rows.count {
            let end = min(start + perStatement, rows.count)
            var builder = sql.insert(into: table).columns(columns)
            for row in rows[start..<end] { builder = builder.values(row) }
            if let conflict { builder = builder.ignoringConflicts(with: conflict) }
            try await builder.run()
            start = end
        }
    }
}
