import Foundation

/// 工单号 — a complaint's human-readable number: `KS`, the day it was received in the company's time zone
/// (yyyyMMdd), and a six-digit sequence within that day, e.g. `KS20261122000123`. Sorting numbers sorts by day.
public struct ComplaintNumber: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(day: String, sequence: Int) {
        let seq = String(sequence)
        rawValue = "KS" + day + String(repeating: "0", count: max(0, 6 - seq.count)) + seq
    }

    /// Parses a number a person typed; case and surrounding spaces do not matter.
    public init?(_ text: String) {
        let s = text.trimmed.uppercased()
        guard s.count >= 16, s.hasPrefix("KS"), s.dropFirst(2).allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return nil
        }
        rawValue = s
    }

    public var description: String { rawValue }
    public static func < (a: ComplaintNumber, b: ComplaintNumber) -> Bool {
        (a.rawValue.count, a.rawValue) < (b.rawValue.count, b.rawValue)
    }

    /// The day key (yyyyMMdd) of `date` in `timeZone`.
    public static func dayKey(of date: Date, in timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        let y = c.year ?? 1970, m = c.month ?? 1, d = c.day ?? 1
        let key = String(max(0, min(9_999, y)) * 10_000 + m * 100 + d)
        return String(repeating: "0", count: max(0, 8 - key.count)) + key
    }
}
