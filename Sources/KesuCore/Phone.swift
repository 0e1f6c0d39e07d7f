/// 电话 — a customer's phone number, the usual key for a customer in China.
///
/// Accepts mainland mobile numbers (11 digits starting 1[3-9], with an optional +86 or 86 prefix) and landlines
/// (0 + area code + number, 10–12 digits, with an optional hyphen). Stored as digits only.
public struct PhoneNumber: Hashable, Sendable, CustomStringConvertible {
    public let digits: String

    public init?(_ raw: String) {
        var s = raw.filter { !" -()".contains($0) }
        if s.hasPrefix("+86") { s.removeFirst(3) } else if s.hasPrefix("86"), s.count == 13 { s.removeFirst(2) }
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let chars = Array(s)
        if chars.count == 11, chars[0] == "1", "3456789".contains(chars[1]) {
            digits = s
        } else if chars[0] == "0", (10...12).contains(chars.count) {
            digits = s
        } else {
            return nil
        }
    }

    /// The number as staff without full access see it: `138****5678`.
    public var masked: String {
        let chars = Array(digits)
        guard chars.count >= 7 else { return String(repeating: "*", count: chars.count) }
        return String(chars.prefix(3)) + "****" + String(chars.suffix(4))
    }

    /// A mobile number, which can take an SMS (a landline cannot).
    public var isMobile: Bool { digits.count == 11 && digits.hasPrefix("1") }

    public var description: String { digits }
}
