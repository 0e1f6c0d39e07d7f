import Foundation
import KesuCore
import OpenAPIRuntime

/// Reads RFC 3339 times with or without fractional seconds; writes them in UTC with milliseconds
/// (`2026-11-22T10:00:00.250Z`). Writing is done by hand: it runs for every time in every answer, and Foundation's
/// formatters cost tens of microseconds each on Linux.
struct FlexibleDateTranscoder: DateTranscoder {
    func encode(_ date: Date) throws -> String {
        Self.format(date)
    }

    func decode(_ text: String) throws -> Date {
        // Foundation's parsers roll "12:99" over to the next hour; RFC 3339's ranges are checked first.
        guard Self.isRFC3339(text) else {
            throw KesuError.invalid("\(text.prefix(40)) is not an RFC 3339 time (2026-11-22T10:00:00+08:00).")
        }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true)) {
            return date
        }
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) { return date }
        throw KesuError.invalid("\(text.prefix(40)) is not an RFC 3339 time (2026-11-22T10:00:00+08:00).")
    }

    /// Whether `text` is `yyyy-MM-ddTHH:mm:ss[.fraction](Z|±hh:mm)` with every field in its range (the day within
    /// its month, a leap second allowed).
    static func isRFC3339(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard b.count >= 20 else { return false }
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var value = 0
            for i in from..<(from + count) {
                guard (48...57).contains(b[i]) else { return nil }
                value = value * 10 + Int(b[i] - 48)
            }
            return value
        }
        guard let year = digits(0, 4), b[4] == 45, let month = digits(5, 2), b[7] == 45, let day = digits(8, 2),
              b[10] == 84 || b[10] == 116, let hour = digits(11, 2), b[13] == 58, let minute = digits(14, 2),
              b[16] == 58, let second = digits(17, 2),
              (1...12).contains(month), hour < 24, minute < 60, second <= 60 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...monthDays).contains(day) else { return false }
        var i = 19
        if i < b.count, b[i] == 46 {
            i += 1
            let start = i
            while i < b.count, (48...57).contains(b[i]) { i += 1 }
            guard i > start else { return false }
        }
        guard i < b.count else { return false }
        if b[i] == 90 || b[i] == 122 { return i + 1 == b.count }
        guard b[i] == 43 || b[i] == 45, i + 6 == b.count, let oh = digits(i + 1, 2), b[i + 3] == 58,
              let om = digits(i + 4, 2) else { return false }
        return oh < 24 && om < 60
    }

    /// `yyyy-MM-ddTHH:mm:ss.SSSZ` in UTC.
    static func format(_ date: Date) -> String {
        let totalMillis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var days = totalMillis >= 0 ? totalMillis / 86_400_000 : (totalMillis - 86_399_999) / 86_400_000
        let millisOfDay = Int(totalMillis - days * 86_400_000)
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0))

        var bytes = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, _ width: Int, at offset: Int) {
            var v = value
            for i in stride(from: offset + width - 1, through: offset, by: -1) {
                bytes[i] = UInt8(48 + v % 10)
                v /= 10
            }
        }
        put(year, 4, at: 0); bytes[4] = 45  // -
        put(month, 2, at: 5); bytes[7] = 45
        put(day, 2, at: 8); bytes[10] = 84  // T
        put(millisOfDay / 3_600_000, 2, at: 11); bytes[13] = 58  // :
        put(millisOfDay / 60_000 % 60, 2, at: 14); bytes[16] = 58
        put(millisOfDay / 1_000 % 60, 2, at: 17); bytes[19] = 46  // .
        put(millisOfDay % 1_000, 3, at: 20); bytes[23] = 90  // Z
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// How Kesu writes times in its answers.
package enum KesuDateFormat {
    package static func format(_ date: Date) -> String { FlexibleDateTranscoder.format(date) }
}
