import Foundation

/// 时限 — the deadlines a complaint runs against (docs/domain.md, "Clocks").
public enum ClockKind: String, CaseIterable, Codable, Sendable {
    /// The company's promise of a first customer-visible reply.
    case firstReply = "first_reply"
    /// The company's promise of a resolution (met on follow_up or closed).
    case resolution
    /// The law's 7 days to handle a complaint and tell the customer the result.
    case statutory
    /// The postal regulator's deadline for a forwarded appeal (申诉转办).
    case regulator
    /// A time an agent promised the customer (承诺).
    case promise
    /// The time an outlet, transfer centre or team was given to answer an investigation (调查任务).
    case inquiry
    /// An execution step's due time (执行任务).
    case task
    /// The follow-up visit's due time (回访): a day after execution, and a day after an attempt that reached no one.
    case followUp = "follow_up"
    /// A deadline on something other than a complaint's handling: a problem parcel's 3 days, an appeal window, a
    /// review, a rectification's due date. Its subject's feature decides what firing does.
    case deadline

    /// Kinds that track internal work rather than the company's promises to the customer; the SLA report leaves
    /// them out.
    public static let internalWork: Set<ClockKind> = [.inquiry, .task, .followUp, .deadline]
}

/// What happens when a clock reaches its warning point or its deadline.
public enum EscalationAction: String, CaseIterable, Codable, Sendable {
    /// Tell the assignee and their nearest supervisors (in-app notifications).
    case notify
    /// Give the complaint to the nearest supervisor.
    case reassign
    /// Raise the escalation level one step: outlet → region → HQ.
    case escalate
}

/// The targets that apply to a complaint, chosen per category × priority × channel.
public struct ClockPolicy: Sendable, Equatable {
    public var firstReply: TimeInterval
    public var resolution: TimeInterval
    /// How long the regulator allows for a forwarded appeal (wall time).
    public var regulator: TimeInterval
    /// The share of a clock's span after which it warns.
    public var warnFraction: Double
    /// The statuses in which first-reply and resolution clocks stand still.
    public var pauseStatuses: Set<ComplaintStatus>
    /// Whether first-reply and resolution count working time on the business calendar rather than wall time.
    public var businessTime: Bool
    public var warnActions: Set<EscalationAction>
    public var breachActions: Set<EscalationAction>

    public init(firstReply: TimeInterval = 24 * 3_600, resolution: TimeInterval = 48 * 3_600,
                regulator: TimeInterval = 10 * 86_400, warnFraction: Double = 0.8,
                pauseStatuses: Set<ComplaintStatus> = [.onHold], businessTime: Bool = false,
                warnActions: Set<EscalationAction> = [.notify], breachActions: Set<EscalationAction> = [.notify, .escalate]) {
        self.firstReply = firstReply
        self.resolution = resolution
        self.regulator = regulator
        self.warnFraction = warnFraction
        self.pauseStatuses = pauseStatuses
        self.businessTime = businessTime
        self.warnActions = warnActions
        self.breachActions = breachActions
    }

    /// The seed's defaults: first reply in 24 h, resolution in 48 h, warning at 80 %, paused on hold.
    public static let standard = ClockPolicy()

    /// Checks the figures: positive targets no longer than a year, a warning point strictly between 0 and 1.
    public func validate() throws {
        var problems = ValidationProblems()
        let year: TimeInterval = 366 * 86_400
        for (name, value) in [("firstReply", firstReply), ("resolution", resolution), ("regulator", regulator)]
        where !(value > 0 && value <= year) {
            problems.add(name, "must be more than 0 and at most a year")
        }
        if !(warnFraction > 0 && warnFraction < 1) { problems.add("warnPercent", "must be between 1 and 99") }
        if pauseStatuses.contains(.closed) { problems.refuse("pauseStatuses", "closed cannot pause a clock") }
        try problems.throwIfAny("The policy cannot be saved")
    }
}

/// One rule of the policy table: nil matches anything; the most specific matching rule wins.
public struct PolicyRule: Sendable, Equatable {
    public var id: String
    public var category: ComplaintCategory?
    public var priority: Priority?
    public var channel: Channel?
    public var policy: ClockPolicy

    public init(id: String, category: ComplaintCategory? = nil, priority: Priority? = nil, channel: Channel? = nil,
                policy: ClockPolicy) {
        self.id = id
        self.category = category
        self.priority = priority
        self.channel = channel
        self.policy = policy
    }

    var specificity: Int {
        (category == nil ? 0 : 1) + (priority == nil ? 0 : 1) + (channel == nil ? 0 : 1)
    }

    func matches(category: ComplaintCategory?, priority: Priority, channel: Channel) -> Bool {
        (self.category == nil || self.category == category) && (self.priority == nil || self.priority == priority)
            && (self.channel == nil || self.channel == channel)
    }

    /// The rule for a complaint: the matching rule naming the most of category, priority and channel (the first
    /// listed among equals), or the standard policy when none matches.
    public static func choose(from rules: [PolicyRule], category: ComplaintCategory?, priority: Priority,
                              channel: Channel) -> PolicyRule {
        var best: PolicyRule?
        for rule in rules where rule.matches(category: category, priority: priority, channel: channel) {
            if let current = best, rule.specificity <= current.specificity { continue }
            best = rule
        }
        return best ?? PolicyRule(id: "standard", policy: .standard)
    }
}

/// A running deadline. It keeps the span and settings it started with, so a policy edited later does not move it.
public struct ComplaintClock: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        case running, warning, paused, breached, met
    }

    public var kind: ClockKind
    public var startedAt: Date
    /// The span: working seconds when `businessTime`, else wall seconds.
    public var target: TimeInterval
    public var businessTime: Bool
    public var warnFraction: Double
    /// The statuses that pause this clock.
    public var pauseStatuses: Set<ComplaintStatus>
    public var dueAt: Date
    public var warnAt: Date
    public var pausedAt: Date?
    /// Wall time spent paused so far.
    public var pausedFor: TimeInterval = 0
    public var warnedAt: Date?
    public var breachedAt: Date?
    public var metAt: Date?

    /// Starts a clock of `target` at `start`.
    public init(kind: ClockKind, startedAt start: Date, target: TimeInterval, businessTime: Bool,
                warnFraction: Double, pauseStatuses: Set<ComplaintStatus>, calendar: BusinessCalendar) {
        self.kind = kind
        self.startedAt = start
        self.target = target
        self.businessTime = businessTime
        self.warnFraction = warnFraction
        self.pauseStatuses = pauseStatuses
        if businessTime {
            dueAt = calendar.add(target, to: start)
            warnAt = calendar.add(target * warnFraction, to: start)
        } else {
            dueAt = start.addingTimeInterval(target)
            warnAt = start.addingTimeInterval(target * warnFraction)
        }
    }

    /// A promise clock: due at the promised time, warning at the policy's share of the way there.
    public static func promise(madeAt: Date, due: Date, warnFraction: Double) -> ComplaintClock {
        fixed(.promise, madeAt: madeAt, due: due, warnFraction: warnFraction)
    }

    /// An investigation's clock: due when the asked unit must answer; it runs on whatever the complaint's status.
    public static func inquiry(askedAt: Date, due: Date, warnFraction: Double) -> ComplaintClock {
        fixed(.inquiry, madeAt: askedAt, due: due, warnFraction: warnFraction)
    }

    /// An execution step's clock, or the follow-up visit's: due at a fixed time, whatever the complaint's status.
    public static func fixed(_ kind: ClockKind, madeAt: Date, due: Date, warnFraction: Double) -> ComplaintClock {
        let span = max(0, due.timeIntervalSince(madeAt))
        return ComplaintClock(kind: kind, startedAt: madeAt, target: span, businessTime: false,
                              warnFraction: warnFraction, pauseStatuses: [],
                              calendar: BusinessCalendar(timeZone: .gmt, weekly: [:]))
    }

    /// The clocks a new complaint starts with.
    /// The regulator's clock runs from the forwarding to the deadline it gave, else for the policy's time.
    public static func opening(receivedAt: Date, channel: Channel, regulatorForwardedAt: Date?, regulatorDueAt: Date? = nil,
                               policy: ClockPolicy, calendar: BusinessCalendar) -> [ComplaintClock] {
        var clocks = [
            ComplaintClock(kind: .firstReply, startedAt: receivedAt, target: policy.firstReply,
                           businessTime: policy.businessTime, warnFraction: policy.warnFraction,
                           pauseStatuses: policy.pauseStatuses, calendar: calendar),
            ComplaintClock(kind: .resolution, startedAt: receivedAt, target: policy.resolution,
                           businessTime: policy.businessTime, warnFraction: policy.warnFraction,
                           pauseStatuses: policy.pauseStatuses, calendar: calendar),
            ComplaintClock(kind: .statutory, startedAt: receivedAt, target: 7 * 86_400, businessTime: false,
                           warnFraction: policy.warnFraction, pauseStatuses: [], calendar: calendar),
        ]
        if channel == .regulator {
            let start = regulatorForwardedAt ?? receivedAt
            clocks.append(ComplaintClock(kind: .regulator, startedAt: start,
                                         target: regulatorDueAt.map { $0.timeIntervalSince(start) } ?? policy.regulator,
                                         businessTime: false,
                                         warnFraction: policy.warnFraction, pauseStatuses: [], calendar: calendar))
        }
        return clocks
    }

    public var state: State {
        if metAt != nil { return .met }
        if breachedAt != nil { return .breached }
        if pausedAt != nil { return .paused }
        if warnedAt != nil { return .warning }
        return .running
    }

    /// The state as a reader sees it at `now`: a clock past its deadline shows breached, and past its warning point
    /// shows warning, even before the scheduler has fired it.
    public func state(at now: Date) -> State {
        let stored = state
        guard stored == .running || stored == .warning else { return stored }
        if dueAt <= now { return .breached }
        if warnAt <= now { return .warning }
        return stored
    }

    /// When the scheduler must next look at this clock: its warning, then its deadline; nil once both fired, or
    /// while it is paused or met.
    public var nextFireAt: Date? {
        if metAt != nil || pausedAt != nil { return nil }
        if warnedAt == nil { return warnAt }
        if breachedAt == nil { return dueAt }
        return nil
    }

    /// Whether the clock still counts towards a deadline (not met, not breached).
    public var isOpen: Bool { metAt == nil && breachedAt == nil }

    /// Stops the clock while the complaint waits (a breached or met clock stays as it is).
    public mutating func pause(at time: Date) {
        guard pausedAt == nil, isOpen else { return }
        pausedAt = time
    }

    /// Starts the clock again: the deadline and warning move by the time paused, counted the way the clock counts.
    public mutating func resume(at time: Date, calendar: BusinessCalendar) {
        guard let paused = pausedAt else { return }
        let resumed = max(time, paused)
        pausedFor += resumed.timeIntervalSince(paused)
        pausedAt = nil
        func moved(_ deadline: Date) -> Date {
            if businessTime {
                return calendar.add(calendar.workingSeconds(from: paused, to: deadline), to: resumed)
            }
            return deadline.addingTimeInterval(resumed.timeIntervalSince(paused))
        }
        dueAt = moved(dueAt)
        if warnedAt == nil { warnAt = moved(warnAt) }
    }

    /// Gives a running clock a new span, counted from when it started, keeping the time it has been paused and the
    /// way it counts — for a complaint whose priority or category changed, so a P3 raised to P1 is held to P1's
    /// targets. A met or breached clock keeps its record; a warning already given is not given again.
    public mutating func retime(target newTarget: TimeInterval, calendar: BusinessCalendar) {
        guard isOpen, newTarget != target else { return }
        func base(_ span: TimeInterval) -> Date {
            businessTime ? calendar.add(span, to: startedAt) : startedAt.addingTimeInterval(span)
        }
        // What pauses added so far, in the clock's own units.
        let shift = businessTime ? calendar.workingSeconds(from: base(target), to: dueAt)
            : dueAt.timeIntervalSince(base(target))
        target = newTarget
        dueAt = base(newTarget + max(0, shift))
        if warnedAt == nil { warnAt = base(newTarget * warnFraction + max(0, shift)) }
    }

    /// Marks the clock met (after its deadline, it stays breached as well).
    public mutating func meet(at time: Date) {
        guard metAt == nil else { return }
        if let paused = pausedAt {
            pausedFor += max(0, time.timeIntervalSince(paused))
            pausedAt = nil
        }
        metAt = time
    }

    /// What falls due at `now`: the warning, the breach, or both (in that order), each at most once.
    public mutating func fire(at now: Date) -> [ClockEvent] {
        var fired: [ClockEvent] = []
        guard metAt == nil, pausedAt == nil else { return fired }
        if warnedAt == nil, warnAt <= now {
            warnedAt = now
            fired.append(.warning)
        }
        if breachedAt == nil, dueAt <= now {
            breachedAt = now
            fired.append(.breach)
        }
        return fired
    }

    /// Whether the clock was met by its deadline.
    public var metInTime: Bool? {
        guard let metAt else { return breachedAt == nil ? nil : false }
        return metAt <= dueAt
    }
}

/// What a clock does when its time comes.
public enum ClockEvent: String, Sendable {
    case warning
    case breach
}

/// Which clocks an event on a complaint meets.
public enum ClockRules {
    /// The kinds met when a complaint enters `status`. Offering a solution or telling the result is contact with
    /// the customer, so it also meets a first reply never recorded as such (late, if it is).
    public static func met(byEntering status: ComplaintStatus) -> Set<ClockKind> {
        switch status {
        case .followUp: [.firstReply, .resolution, .statutory]
        case .closed: [.firstReply, .resolution, .statutory, .task, .followUp]
        case .reopened: [.followUp]
        case .awaitingCustomer, .executing: [.firstReply, .statutory]
        default: []
        }
    }

    /// The kinds a customer-visible reply meets: the first reply, and any promise to contact the customer.
    public static let metByReply: Set<ClockKind> = [.firstReply, .promise]

    /// The next escalation level: outlet (0) → region (1) → HQ (2); the regulator (3) is set from outside.
    public static func escalated(from level: Int) -> Int { min(max(level, 0) + 1, 2) }
}
