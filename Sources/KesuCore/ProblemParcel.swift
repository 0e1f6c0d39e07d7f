import Foundation

/// How a problem parcel (问题件) ended.
public enum ProblemOutcome: String, CaseIterable, Codable, Sendable {
    /// 已派送 — delivered after all.
    case delivered
    /// 已退回 — returned to the sender.
    case returned
    /// 已转寄 — sent on to another address.
    case redirected
    /// 已赔付 — settled by paying for it.
    case compensated
    /// 转为客诉 — the customer complained; the complaint carries it on.
    case complaint
}

/// How the courier reached (or tried to reach) the customer in a follow-up.
public enum ContactMethod: String, CaseIterable, Codable, Sendable {
    case phone, sms, wechat, visit, other
}

/// 问题件规则 — the figures of seed 003's remedy: a problem parcel is followed up every day, and one still unsettled
/// after three days lapses (超期), which alerts customer service and the outlet. The figures are configuration.
public struct ProblemParcelRules: Sendable, Equatable {
    /// Unsettled this long after it was registered, a parcel lapses.
    public var lapseAfter: TimeInterval
    /// A follow-up is due this long after the last one (or after the registration).
    public var followUpEvery: TimeInterval
    /// A complaint finds the parcel neglected when it had no follow-up this long before the complaint.
    public var neglectWindow: TimeInterval

    public static let standard = ProblemParcelRules(lapseAfter: 3 * 86_400, followUpEvery: 86_400, neglectWindow: 86_400)
    /// The range an administrator may set the lapse to, in days.
    public static let lapseDays = 1...30

    public init(lapseAfter: TimeInterval, followUpEvery: TimeInterval, neglectWindow: TimeInterval) {
        self.lapseAfter = lapseAfter
        self.followUpEvery = followUpEvery
        self.neglectWindow = neglectWindow
    }

    /// The standard rules with the lapse set to `days`, refused outside ``lapseDays``.
    public static func lapsing(afterDays days: Int) throws -> ProblemParcelRules {
        guard lapseDays.contains(days) else {
            throw KesuError.invalid("A problem parcel lapses after 1 to 30 days.", fields: ["lapseDays": ["out of range"]])
        }
        var rules = standard
        rules.lapseAfter = TimeInterval(days) * 86_400
        return rules
    }

    public func lapseAt(openedAt: Date) -> Date { openedAt.addingTimeInterval(lapseAfter) }
}

/// 问题件 — a delivery exception as the rules see it: when it was registered, its follow-ups, and how it ended.
public struct ProblemParcel: Sendable, Equatable {
    public var openedAt: Date
    /// The times of its follow-ups, oldest first.
    public private(set) var followUps: [Date] = []
    public private(set) var settledAt: Date?
    public private(set) var outcome: ProblemOutcome?
    public var rules: ProblemParcelRules

    public init(openedAt: Date, followUps: [Date] = [], settledAt: Date? = nil, outcome: ProblemOutcome? = nil,
                rules: ProblemParcelRules = .standard) {
        self.openedAt = openedAt
        self.followUps = followUps.sorted()
        self.settledAt = settledAt
        self.outcome = outcome
        self.rules = rules
    }

    public var isSettled: Bool { settledAt != nil }
    public var lapseAt: Date { rules.lapseAt(openedAt: openedAt) }
    public var lastContact: Date { followUps.last ?? openedAt }

    /// When the next follow-up is due: a day after the last one, or after the registration.
    public var followUpDue: Date { lastContact.addingTimeInterval(rules.followUpEvery) }

    /// Whether it lapsed at all: still open past its lapse, or settled only after it.
    public func lapsed(by now: Date) -> Bool {
        if let settledAt { return settledAt >= lapseAt }
        return now >= lapseAt
    }

    /// Records a follow-up at `at`; refused once settled, or before the registration.
    public mutating func followUp(at: Date) throws {
        guard !isSettled else {
            throw KesuError.refused("This problem parcel is settled; it takes no more follow-ups.")
        }
        guard at >= openedAt else { throw KesuError.invalid("A follow-up comes after the registration.") }
        followUps.append(at)
    }

    /// Settles it as `outcome`; refused when it is settled already.
    public mutating func settle(_ outcome: ProblemOutcome, at: Date) throws {
        guard !isSettled else { throw KesuError.conflict("This problem parcel is settled already.") }
        settledAt = max(at, openedAt)
        self.outcome = outcome
    }

    /// A complaint received at `complaintAt` about this parcel finds it neglected — which counts against the courier —
    /// when the parcel was open then, older than the neglect window, and had no follow-up within that window before
    /// the complaint.
    public func neglected(before complaintAt: Date) -> Bool {
        if let settledAt, settledAt <= complaintAt { return false }
        let windowStart = complaintAt.addingTimeInterval(-rules.neglectWindow)
        guard openedAt < windowStart else { return false }
        return !followUps.contains { $0 >= windowStart && $0 <= complaintAt }
    }

    /// The order of every list of open parcels: lapsed first, then the one lapsing soonest — the oldest.
    public static func workOrder(_ a: ProblemParcel, _ b: ProblemParcel) -> Bool {
        a.lapseAt != b.lapseAt ? a.lapseAt < b.lapseAt : a.openedAt < b.openedAt
    }
}

/// Who hears of a problem parcel's reminder and lapse: its outlet's staff (at the outlet or at the courier's unit
/// below it) for both, and — when it lapses — customer service, the agents and supervisors of the nearest unit above
/// the parcel that has any.
public enum ProblemParcelAlert {
    public static func recipients(owner: UnitPath, outlet: UnitPath, lapsed: Bool, among people: [Escalatee]) -> [UUID] {
        let outletStaff = people.filter {
            $0.role == .outlet && owner.rawValue.hasPrefix($0.unitPath.rawValue) && $0.unitPath.depth >= outlet.depth
        }
        guard lapsed else { return outletStaff.map(\.id) }
        let service = people.filter { [.agent, .supervisor].contains($0.role) && owner.rawValue.hasPrefix($0.unitPath.rawValue) }
        let nearest = service.map(\.unitPath.depth).max()
        return (outletStaff + service.filter { $0.unitPath.depth == nearest }).map(\.id)
    }
}
