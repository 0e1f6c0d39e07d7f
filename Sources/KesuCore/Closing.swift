import Foundation

/// 结案与重复投诉 — what closing decides and how a later complaint is recognised as a repeat
/// (docs/domain.md, "Responsibility and closing" and "Priority").
public enum ClosingRules {
    /// A rectification given no date is due this long after the complaint closes.
    public static let rectificationDefault: TimeInterval = 30 * 86_400
    /// And no later than this.
    public static let rectificationLimit: TimeInterval = 366 * 86_400

    /// When a rectification decided at `now` is due: `given`, or the default; refused unless within the coming year.
    public static func rectificationDue(given: Date?, now: Date) throws -> Date {
        let due = given ?? now.addingTimeInterval(rectificationDefault)
        guard due > now, due.timeIntervalSince(now) <= rectificationLimit else {
            throw KesuError.refused("A rectification is due within the coming year.",
                                    fields: ["rectificationDueAt": ["out of range"]])
        }
        return due
    }

    /// Whether a unit of this kind carries out a rectification itself; a courier's outlet does it for the courier.
    public static func rectifies(_ kind: UnitKind) -> Bool { kind != .courier }
}

public enum RepeatRule {
    /// A complaint is a repeat when the same customer, or one of its waybills, complained this long before it.
    public static let window: TimeInterval = 30 * 86_400

    /// The earliest earlier complaint that makes one received at `receivedAt` a repeat.
    public static func windowStart(before receivedAt: Date) -> Date { receivedAt.addingTimeInterval(-window) }
}
