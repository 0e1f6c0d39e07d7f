import Foundation

/// 时效报表 — how well a group of complaints kept to its clocks.
public struct SlaFigures: Sendable, Equatable {
    /// Complaints counted (one first-reply clock each).
    public var complaints = 0
    /// First-reply clocks met by their deadline, and those already decided (met, or past their deadline).
    public var firstReplyMet = 0
    public var firstReplyDue = 0
    public var firstReplyMedian: TimeInterval?
    public var firstReplyP90: TimeInterval?
    public var resolutionMet = 0
    public var resolutionDue = 0
    public var resolutionMedian: TimeInterval?
    public var resolutionP90: TimeInterval?
    /// Clocks of any kind that missed their deadline.
    public var breaches = 0
    /// Regulator clocks past their deadline with no reply to the regulator yet.
    public var regulatorOverdue = 0

    public init() {}

    public var firstReplyShare: Double? { firstReplyDue == 0 ? nil : Double(firstReplyMet) / Double(firstReplyDue) }
    public var resolutionShare: Double? { resolutionDue == 0 ? nil : Double(resolutionMet) / Double(resolutionDue) }

    /// Adds up `clocks` as they stand at `now`. Times are wall time from start to met, pauses included.
    public static func of(_ clocks: [ComplaintClock], now: Date) -> SlaFigures {
        var f = SlaFigures()
        var replyTimes: [TimeInterval] = []
        var resolveTimes: [TimeInterval] = []
        for clock in clocks where !ClockKind.internalWork.contains(clock.kind) {
            let decided = clock.metAt != nil || clock.dueAt <= now || clock.breachedAt != nil
            let inTime = clock.metInTime == true
            if decided, !inTime { f.breaches += 1 }
            switch clock.kind {
            case .firstReply:
                f.complaints += 1
                if decided { f.firstReplyDue += 1 }
                if inTime { f.firstReplyMet += 1 }
                if let met = clock.metAt { replyTimes.append(met.timeIntervalSince(clock.startedAt)) }
            case .resolution:
                if decided { f.resolutionDue += 1 }
                if inTime { f.resolutionMet += 1 }
                if let met = clock.metAt { resolveTimes.append(met.timeIntervalSince(clock.startedAt)) }
            case .regulator:
                if clock.metAt == nil, clock.dueAt <= now { f.regulatorOverdue += 1 }
            case .statutory, .promise, .inquiry, .task, .followUp, .deadline:
                break
            }
        }
        f.firstReplyMedian = percentile(replyTimes, 0.5)
        f.firstReplyP90 = percentile(replyTimes, 0.9)
        f.resolutionMedian = percentile(resolveTimes, 0.5)
        f.resolutionP90 = percentile(resolveTimes, 0.9)
        return f
    }

    /// The nearest-rank percentile (the smallest value with at least `p` of the values at or below it).
    public static func percentile(_ values: [TimeInterval], _ p: Double) -> TimeInterval? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = max(1, Int((p * Double(sorted.count)).rounded(.up)))
        return sorted[min(rank, sorted.count) - 1]
    }
}
