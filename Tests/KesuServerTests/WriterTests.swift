import Fluent
import Foundation
import KesuServer
import KesuStore
import SQLKit
import XCTest

/// The writer commits every successful call and none of a failed one, also when calls share a transaction
/// (SQLite's group commit).
final class WriterTests: KesuTestCase, @unchecked Sendable {
    struct Refused: Error {}

    func testFailedWriteRollsBackAloneWhileOthersCommit() async throws {
        let writer = app.kesu.writer
        let db = app.db
        let results = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<60 {
                group.addTask {
                    do {
                        try await writer.write(on: db) { tx in
                            try await tx.sql.raw("""
                                INSERT INTO number_sequences (day, last) VALUES (\(bind: "test-\(i)"), \(bind: i))
                                """).run()
                            if i % 5 == 0 { throw Refused() }
                        }
                        return true
                    } catch {
                        XCTAssertTrue(error is Refused, "\(error)")
                        return false
                    }
                }
            }
            var all: [Bool] = []
            for await r in group { all.append(r) }
            return all
        }
        XCTAssertEqual(results.filter { $0 }.count, 48)
        let rows = try await app.db.sql.raw("SELECT day FROM number_sequences WHERE day LIKE 'test-%'").all()
        let days = Set(try rows.map { try $0.decode(column: "day", as: String.self) })
        XCTAssertEqual(days.count, 48)
        XCTAssertFalse(days.contains("test-0"))
        XCTAssertFalse(days.contains("test-55"))
        XCTAssertTrue(days.contains("test-59"))
    }
}
