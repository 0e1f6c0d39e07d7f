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

final class DateFormatTests: XCTestCase {
    func testHandWrittenFormatMatchesFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var seconds = -2_208_988_800.0  // 1900-01-01
        while seconds < 4_102_444_800 {  // 2100-01-01
            let date = Date(timeIntervalSince1970: seconds)
            XCTAssertEqual(KesuDateFormat.format(date), formatter.string(from: date))
            seconds += 86_400 * 37.123_457
        }
        XCTAssertEqual(KesuDateFormat.format(Date(timeIntervalSince1970: 1_795_368_600.25)), "2026-11-22T17:30:00.250Z")
    }
}
