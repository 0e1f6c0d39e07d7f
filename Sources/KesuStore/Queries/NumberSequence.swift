import FluentKit
import SQLKit

/// Hands out complaint-number sequences, one counter per day, inside the caller's transaction.
package enum NumberSequence {
    /// Reserves `count` consecutive numbers for `day` and returns the first.
    package static func reserve(day: String, count: Int = 1, on db: any Database) async throws -> Int {
        let sql = try db.sql
        let row = try await sql.raw("""
            INSERT INTO number_sequences (day, last) VALUES (\(bind: day), \(bind: count))
            ON CONFLICT (day) DO UPDATE SET last = number_sequences.last + \(bind: count)
            RETURNING last
            """).first()
        guard let last = try row?.decode(column: "last", as: Int.self) else {
            throw KesuStoreError("the number sequence for \(day) returned nothing")
        }
        return last - count + 1
    }
}

/// A fault in the store that no user input causes.
package struct KesuStoreError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
