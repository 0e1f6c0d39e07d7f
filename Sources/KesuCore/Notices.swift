import Foundation

/// 客户通知 — what Kesu tells a customer outside its own pages, and when. Seed 003: notices must reach people
/// without tiring them — at most one proactive notice per customer and complaint a day, none at night, and the
/// customer may turn off the ones they do not need.
public enum NoticeKind: String, CaseIterable, Codable, Sendable {
    /// 已受理: the number and the private link, answering the customer's own message.
    case received
    /// A person's reply to the customer.
    case reply
    case investigating
    case proposal
    /// 处理结果告知: the reason, the steps, when and who (seed 001).
    case execution
    case survey
    case closed
    /// 申诉转办的回复: the reply to the regulator about a forwarded appeal — sent to the regulator, not the customer.
    case regulator

    /// Essential notices are sent even to a customer who turned notices off: the answer to what they wrote, a
    /// person's reply, a decision asked of them, and what was done.
    public var essential: Bool {
        switch self {
        case .received, .reply, .proposal, .execution, .regulator: true
        case .investigating, .survey, .closed: false
        }
    }

    /// A proactive notice is one Kesu starts; the answer to what the customer wrote and a person's reply are not.
    public var proactive: Bool { self != .received && self != .reply && self != .regulator }
}

/// The company's notice settings.
public struct NoticeSettings: Sendable, Equatable, Codable {
    /// Quiet hours in minutes after local midnight: from `quietStart` to `quietEnd` the next morning.
    public var quietStart: Int
    public var quietEnd: Int
    public var timeZone: String
    /// Proactive notices per customer and complaint in any 24 hours.
    public var dailyCap: Int

    public init(quietStart: Int = 21 * 60, quietEnd: Int = 8 * 60, timeZone: String = "Asia/Shanghai", dailyCap: Int = 1) {
        self.quietStart = quietStart
        self.quietEnd = quietEnd
        self.timeZone = timeZone
        self.dailyCap = dailyCap
    }

    public static let standard = NoticeSettings()
}

/// When a notice goes, or why it does not.
public enum NoticeDecision: Sendable, Equatable {
    case send(at: Date, held: String?)
    case skip(String)
}

public enum NoticeRules {
    /// Decides one notice.
    /// - Parameters:
    ///   - proactiveSent: when the proactive notices of the last 24 hours to this customer on this complaint went
    ///     (or will go);
    ///   - customerWrote: when the customer last wrote on this complaint — a notice after that is an answer.
    public static func decide(_ kind: NoticeKind, urgent: Bool, now: Date, settings: NoticeSettings,
                              proactiveSent: [Date], customerWrote: Date?, optedOut: Bool) -> NoticeDecision {
        if optedOut, !kind.essential, !urgent { return .skip("opted out") }
        var at = now
        var held: String?
        if kind.proactive, !urgent {
            let answered = customerWrote.map { wrote in proactiveSent.allSatisfy { $0 < wrote } } ?? false
            let recent = proactiveSent.filter { $0 > now.addingTimeInterval(-86_400) }.sorted()
            if !answered, recent.count >= max(1, settings.dailyCap) {
                at = recent[recent.count - max(1, settings.dailyCap)].addingTimeInterval(86_400)
                held = "daily cap"
            }
        }
        if !urgent, kind.proactive, let morning = quietEnd(after: at, settings: settings) {
            at = morning
            held = held ?? "quiet hours"
        }
        return .send(at: at, held: held)
    }

    /// The end of the quiet hours `date` falls in, or nil when it is outside them.
    public static func quietEnd(after date: Date, settings: NoticeSettings) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: settings.timeZone) ?? TimeZone(secondsFromGMT: 8 * 3_600) ?? .current
        let c = calendar.dateComponents([.hour, .minute], from: date)
        let minute = (c.hour ?? 0) * 60 + (c.minute ?? 0)
        let start = settings.quietStart, end = settings.quietEnd
        guard start != end else { return nil }
        let quiet = start < end ? (minute >= start && minute < end) : (minute >= start || minute < end)
        guard quiet else { return nil }
        let day = calendar.startOfDay(for: date)
        var morning = calendar.date(byAdding: .minute, value: end, to: day) ?? date
        if morning <= date { morning = calendar.date(byAdding: .day, value: 1, to: morning) ?? date }
        return morning
    }
}
