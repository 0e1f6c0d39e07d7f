import Foundation

/// What a rule of the catalogue (考核规则) is for: a fine on an outlet or courier, or a reward to a courier.
public enum FineRuleKind: String, CaseIterable, Codable, Sendable {
    case fine, reward
}

/// 考核规则 — one entry of the catalogue HQ quality edits: a fixed amount per item (¥10 a parcel put in a locker without
/// consent, ¥1,000 an escalated complaint), or a multiple of another rule's amount (a problem parcel that lapsed and
/// was then complained about: ×2 the complaint's fine). Money in fen.
public struct FineRule: Sendable, Equatable {
    public var code: String
    public var kind: FineRuleKind
    public var amountFen: Int?
    /// A multiplier in percent of `baseCode`'s amount (200 = ×2).
    public var multiplierPercent: Int?
    public var baseCode: String?
    /// The rule is for a problem parcel that a complaint found neglected: a fine citing it names such a parcel, or a
    /// complaint linked to one.
    public var needsNeglect: Bool
    public var active: Bool

    public init(code: String, kind: FineRuleKind = .fine, amountFen: Int? = nil, multiplierPercent: Int? = nil,
                baseCode: String? = nil, needsNeglect: Bool = false, active: Bool = true) {
        self.code = code
        self.kind = kind
        self.amountFen = amountFen
        self.multiplierPercent = multiplierPercent
        self.baseCode = baseCode
        self.needsNeglect = needsNeglect
        self.active = active
    }

    /// The most a single item may be fined or rewarded: ¥100,000.
    public static let maxFen = 10_000_000

    /// Checks a rule as it is saved against the catalogue it joins: an amount, or a multiplier of a fixed rule.
    public func validate(among rules: [FineRule]) throws {
        var problems = ValidationProblems()
        switch (amountFen, multiplierPercent) {
        case (let amount?, nil):
            if !(1...Self.maxFen).contains(amount) { problems.add("amount", "must be ¥0.01 to ¥100,000") }
        case (nil, let percent?):
            if !(101...1_000).contains(percent) { problems.add("multiplier", "must be more than ×1 and at most ×10") }
            let base = rules.first { $0.code == baseCode }
            if kind == .reward { problems.refuse("multiplier", "a reward is a fixed amount") }
            if base == nil || base?.amountFen == nil || base?.kind != .fine || base?.code == code {
                problems.refuse("baseCode", "must be another fine with a fixed amount")
            }
        default:
            problems.refuse("amount", "give an amount or a multiplier, not both")
        }
        try problems.throwIfAny("The rule cannot be saved.")
    }

    /// The amount for `quantity` items under this rule, reading a multiplier's base from `rules`.
    public func amount(quantity: Int, among rules: [FineRule]) throws -> Int {
        guard (1...1_000).contains(quantity) else {
            throw KesuError.invalid("The quantity is 1 to 1,000.", fields: ["quantity": ["out of range"]])
        }
        if let amountFen { return amountFen * quantity }
        guard let percent = multiplierPercent, let base = rules.first(where: { $0.code == baseCode })?.amountFen else {
            throw KesuError.refused("This rule's base is missing.", fields: ["rule": ["no base"]])
        }
        return base * percent / 100 * quantity
    }
}

/// What happens when a review is not decided in time: the fine stays suspended (not collected) until someone
/// decides — the default — or the appeal is granted and the fine revoked.
public enum OverdueReview: String, CaseIterable, Codable, Sendable {
    case suspend, revoke
}

/// The time limits of the appeal (申诉) and review (复核): 72 h to appeal, 48 h for each review, 48 h after the first
/// decision to ask for the one second review. Configuration, in hours; wall time or working time.
public struct FineWindows: Sendable, Equatable {
    public var appeal: TimeInterval
    public var review: TimeInterval
    public var secondAsk: TimeInterval
    public var businessTime: Bool
    public var overdue: OverdueReview

    public static let standard = FineWindows(appeal: 72 * 3_600, review: 48 * 3_600, secondAsk: 48 * 3_600)
    /// The range of each window an administrator may set, in hours.
    public static let hours = 1...720

    public init(appeal: TimeInterval, review: TimeInterval, secondAsk: TimeInterval, businessTime: Bool = false,
                overdue: OverdueReview = .suspend) {
        self.appeal = appeal
        self.review = review
        self.secondAsk = secondAsk
        self.businessTime = businessTime
        self.overdue = overdue
    }

    public static func hours(appeal: Int, review: Int, secondAsk: Int, businessTime: Bool, overdue: OverdueReview) throws
        -> FineWindows
    {
        var problems = ValidationProblems()
        for (name, value) in [("appealHours", appeal), ("reviewHours", review), ("secondAskHours", secondAsk)]
        where !hours.contains(value) {
            problems.add(name, "must be 1 to 720 hours")
        }
        try problems.throwIfAny("The time limits cannot be saved.")
        return FineWindows(appeal: TimeInterval(appeal) * 3_600, review: TimeInterval(review) * 3_600,
                           secondAsk: TimeInterval(secondAsk) * 3_600, businessTime: businessTime, overdue: overdue)
    }
}

/// Where a fine stands.
public enum FineStatus: String, CaseIterable, Codable, Sendable {
    /// Issued; the fined unit may appeal until the appeal deadline.
    case open
    /// Appealed; a reviewer decides by the review deadline.
    case appealed
    /// Decided once; the fined unit may ask for one second review until its deadline.
    case decided
    /// A second review (复核) was asked; another reviewer decides.
    case secondReview = "second_review"
    /// Nothing more can change it: accepted, or the appeal window or second-review window passed, or decided twice.
    case final
}

/// A reviewer's decision.
public enum FineDecision: String, CaseIterable, Codable, Sendable {
    case uphold, reduce, revoke
}

/// The deadline a fine is running against: which window, and when it ends.
public enum FineWindow: String, CaseIterable, Codable, Sendable {
    case appeal, review, secondAsk = "second_ask", secondReview = "second_review"
}

/// 考核单 — a fine as the rules see it: who issued it, the amount, the appeal, up to two decisions by people other than
/// the issuer, and the deadline it is running against.
public struct Fine: Sendable, Equatable {
    public private(set) var status: FineStatus = .open
    public let issuerID: UUID
    public let issuedAt: Date
    public let originalFen: Int
    /// What is owed now: the original, a reduced amount, or 0 once revoked.
    public private(set) var dueFen: Int
    public private(set) var firstReviewerID: UUID?
    public private(set) var decision: FineDecision?
    /// The end of the window the fine is running against; nil once final.
    public private(set) var deadline: Date?
    public private(set) var window: FineWindow? = .appeal
    /// Not collected until someone decides (a review ran out of time, or the complaint's customer is blacklisted).
    public var suspended = false
    public let windows: FineWindows

    public init(issuerID: UUID, issuedAt: Date, amountFen: Int, windows: FineWindows = .standard,
                calendar: BusinessCalendar? = nil) {
        self.issuerID = issuerID
        self.issuedAt = issuedAt
        self.originalFen = amountFen
        self.dueFen = amountFen
        self.windows = windows
        deadline = Self.end(of: windows.appeal, from: issuedAt, windows: windows, calendar: calendar)
    }

    /// A stored fine, as it stands.
    public init(status: FineStatus, issuerID: UUID, issuedAt: Date, originalFen: Int, dueFen: Int, firstReviewerID: UUID?,
                decision: FineDecision?, window: FineWindow?, deadline: Date?, suspended: Bool, windows: FineWindows) {
        self.status = status
        self.issuerID = issuerID
        self.issuedAt = issuedAt
        self.originalFen = originalFen
        self.dueFen = dueFen
        self.firstReviewerID = firstReviewerID
        self.decision = decision
        self.window = window
        self.deadline = deadline
        self.suspended = suspended
        self.windows = windows
    }

    static func end(of span: TimeInterval, from start: Date, windows: FineWindows, calendar: BusinessCalendar?) -> Date {
        guard windows.businessTime, let calendar else { return start.addingTimeInterval(span) }
        return calendar.add(span, to: start)
    }

    /// Whether the money is owed now: final, not revoked, not suspended.
    public var collectible: Bool { status == .final && dueFen > 0 && !suspended }

    /// The fined unit appeals at `at`, before the appeal deadline, with a statement and at least one piece of evidence.
    public mutating func appeal(at: Date, evidence: Int, calendar: BusinessCalendar? = nil) throws {
        guard status == .open else { throw KesuError.conflict("This fine was appealed already or is final.") }
        guard let deadline, at < deadline else {
            throw KesuError.refused("The time to appeal has passed.", fields: ["appeal": ["too late"]])
        }
        guard evidence > 0 else {
            throw KesuError.refused("An appeal needs evidence.", fields: ["evidenceFiles": ["missing"]])
        }
        status = .appealed
        window = .review
        self.deadline = Self.end(of: windows.review, from: at, windows: windows, calendar: calendar)
    }

    /// A reviewer decides at `at`: uphold, reduce to `newFen` (less than the original, more than nothing), or revoke.
    /// Never the issuer; a second review never by the first reviewer.
    public mutating func decide(_ decision: FineDecision, newFen: Int? = nil, by reviewer: UUID, at: Date,
                                calendar: BusinessCalendar? = nil) throws {
        guard status == .appealed || status == .secondReview else {
            throw KesuError.conflict("There is no appeal waiting for a decision.")
        }
        guard reviewer != issuerID else {
            throw KesuError.forbidden("Whoever issued a fine may not review it.")
        }
        if status == .secondReview, reviewer == firstReviewerID {
            throw KesuError.forbidden("A second review is decided by someone other than the first reviewer.")
        }
        switch decision {
        case .uphold: break
        case .revoke: dueFen = 0
        case .reduce:
            guard let newFen, newFen > 0, newFen < originalFen else {
                throw KesuError.refused("A reduced fine is more than ¥0 and less than the original amount.",
                                        fields: ["amount": ["out of range"]])
            }
            dueFen = newFen
        }
        self.decision = decision
        suspended = false
        if status == .appealed {
            firstReviewerID = reviewer
            // A revoked fine leaves nothing to ask again about.
            if decision == .revoke {
                finish()
            } else {
                status = .decided
                window = .secondAsk
                deadline = Self.end(of: windows.secondAsk, from: at, windows: windows, calendar: calendar)
            }
        } else {
            finish()
        }
    }

    /// The fined unit asks, once, for a second review within the window after the first decision.
    public mutating func askSecondReview(at: Date, calendar: BusinessCalendar? = nil) throws {
        guard status == .decided else {
            throw KesuError.refused(status == .final && firstReviewerID != nil
                ? "A fine has one second review, asked within its time after the first decision."
                : "A second review follows a first decision.", fields: ["secondReview": ["not open"]])
        }
        guard let deadline, at < deadline else {
            throw KesuError.refused("The time to ask for a second review has passed.", fields: ["secondReview": ["too late"]])
        }
        status = .secondReview
        window = .secondReview
        self.deadline = Self.end(of: windows.review, from: at, windows: windows, calendar: calendar)
    }

    /// A fine arising from a blacklisted customer's complaint goes to review at once, suspended until decided.
    public mutating func holdForReview(at: Date, calendar: BusinessCalendar? = nil) throws {
        guard status == .open else { throw KesuError.conflict("Only a fine just issued is held for review.") }
        status = .appealed
        suspended = true
        window = .review
        deadline = Self.end(of: windows.review, from: at, windows: windows, calendar: calendar)
    }

    /// The fined unit accepts the fine (or the decision) as it stands.
    public mutating func accept() throws {
        guard status == .open || status == .decided else { throw KesuError.conflict("There is nothing to accept now.") }
        finish()
    }

    /// What the clock of `window` does when it ends at `at` — nothing when the fine has moved on since: an appeal or
    /// second-review window closes the fine; a review that ran out of time stays suspended (or is revoked) and
    /// returns true, to escalate.
    @discardableResult
    public mutating func windowEnded(_ ended: FineWindow, at: Date) -> Bool {
        guard ended == window, let deadline, at >= deadline else { return false }
        switch ended {
        case .appeal, .secondAsk:
            finish()
            return false
        case .review, .secondReview:
            switch windows.overdue {
            case .suspend:
                suspended = true
                self.deadline = nil
            case .revoke:
                dueFen = 0
                decision = .revoke
                finish()
            }
            return true
        }
    }

    private mutating func finish() {
        status = .final
        window = nil
        deadline = nil
    }
}
