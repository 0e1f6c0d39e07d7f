import Foundation

/// 解决方案 — what a complaint may offer the customer.
public enum ProposalKind: String, CaseIterable, Codable, Sendable {
    case refund
    /// Redelivery or reshipment.
    case reship
    case coupon
    case compensation
    /// An apology letter or visit.
    case apology
    case feeWaiver = "fee_waiver"
    case combined
}

/// Where a proposal stands.
public enum ProposalState: String, CaseIterable, Codable, Sendable {
    /// Above its proposer's authority: waits for someone whose limit covers it.
    case pendingApproval = "pending_approval"
    /// Within authority (or approved): may be offered.
    case ready
    /// With the customer.
    case offered
    case accepted
    case rejected
    case withdrawn
}

/// 权限 — how much each role may grant on its own; nil is no limit. Amounts in fen.
public struct AuthorityLimits: Sendable, Equatable {
    public var limits: [Role: Int64?]

    public init(_ limits: [Role: Int64?]) { self.limits = limits }

    /// DOMAIN.md's defaults: agent ¥100, supervisor and quality ¥500, claims (the manager level) ¥2,000, HQ admin
    /// without limit; outlet and integration users grant nothing themselves.
    public static let standard = AuthorityLimits([
        .agent: 10_000, .supervisor: 50_000, .quality: 50_000, .claims: 200_000, .admin: nil, .outlet: 0, .system: 0,
    ])

    /// The most `role` may grant (nil: no limit).
    public func limit(for role: Role) -> Int64? {
        guard let entry = limits[role] else { return 0 }
        return entry
    }

    public func covers(_ role: Role, amountFen: Int64) -> Bool {
        guard let limit = limit(for: role) else { return true }
        return amountFen <= limit
    }
}

/// The rules of proposals and their approval.
public enum ProposalRules {
    /// Checks a new proposal's figures.
    public static func validate(kind: ProposalKind, amountFen: Int64, description: String) throws {
        var problems = ValidationProblems()
        if !(0...100_000_000).contains(amountFen) { problems.add("amountFen", "must be 0 to ¥1,000,000") }
        if [.refund, .coupon, .compensation, .feeWaiver].contains(kind), amountFen == 0 {
            problems.refuse("amountFen", "a \(kind.rawValue) needs an amount")
        }
        if description.length > 500 {
            problems.add("description", "must be 2 to 500 characters")
        } else if description.trimmed.length < 2 {
            problems.refuse("description", "must be 2 to 500 characters")
        }
        try problems.throwIfAny("The proposal cannot be made")
    }

    /// A new proposal is ready at once when its proposer may grant it, else it waits for approval.
    public static func initialState(amountFen: Int64, proposer: Role, limits: AuthorityLimits) -> ProposalState {
        limits.covers(proposer, amountFen: amountFen) ? .ready : .pendingApproval
    }

    /// Who may approve: not the proposer, and someone whose limit covers the amount; only while it waits.
    public static func checkApproval(state: ProposalState, amountFen: Int64, proposerID: UUID, approverID: UUID,
                                     approver: Role, limits: AuthorityLimits) throws {
        guard state == .pendingApproval else {
            throw KesuError.conflict("The proposal is \(state.rawValue), not waiting for approval.")
        }
        guard proposerID != approverID else { throw KesuError.forbidden("A proposal cannot be approved by its proposer.") }
        guard limits.covers(approver, amountFen: amountFen) else {
            let limit = limits.limit(for: approver).map(CompensationEngine.yuan) ?? "unlimited"
            throw KesuError.forbidden("Your limit (\(limit)) does not cover \(CompensationEngine.yuan(amountFen)).")
        }
    }

    /// Only a ready proposal reaches the customer; one waiting for approval never does.
    public static func checkOffer(state: ProposalState) throws {
        switch state {
        case .ready: return
        case .pendingApproval: throw KesuError.conflict("The proposal waits for approval and cannot be offered yet.")
        default: throw KesuError.conflict("The proposal is \(state.rawValue) and cannot be offered.")
        }
    }
}

/// 执行任务 — one step of carrying out an accepted proposal.
public enum TaskKind: String, CaseIterable, Codable, Sendable {
    case pay
    case reship
    case coupon
    case apologyVisit = "apology_visit"
    case waiveFee = "waive_fee"
    case carryOut = "carry_out"

    /// How long the step may take by default.
    public var defaultSpan: TimeInterval {
        switch self {
        case .pay, .coupon, .waiveFee: 24 * 3_600
        case .reship, .carryOut: 48 * 3_600
        case .apologyVisit: 72 * 3_600
        }
    }

    /// The steps an accepted proposal becomes.
    public static func steps(for kind: ProposalKind) -> [TaskKind] {
        switch kind {
        case .refund, .compensation: [.pay]
        case .reship: [.reship]
        case .coupon: [.coupon]
        case .apology: [.apologyVisit]
        case .feeWaiver: [.waiveFee]
        case .combined: [.carryOut]
        }
    }
}

/// 回访 — how the customer answered the follow-up visit, or that they could not be reached.
public enum FollowUpOutcome: String, CaseIterable, Codable, Sendable {
    case satisfied
    case basicallySatisfied = "basically_satisfied"
    case unsatisfied
    case noAnswer = "no_answer"
}

/// The follow-up's rules: at most two attempts, a day apart; an answer ends it; 不满意 reopens the complaint.
public enum FollowUpRules {
    public static let maxAttempts = 2
    public static let gap: TimeInterval = 86_400

    /// Checks a new attempt against the earlier ones (oldest first) at `now`.
    public static func checkAttempt(_ outcome: FollowUpOutcome, earlier: [(outcome: FollowUpOutcome, at: Date)],
                                    now: Date) throws {
        if earlier.contains(where: { $0.outcome != .noAnswer }) {
            throw KesuError.conflict("The customer has answered the follow-up already.")
        }
        guard earlier.count < maxAttempts else {
            throw KesuError.conflict("The follow-up has had its \(maxAttempts) attempts.")
        }
        if let last = earlier.last, now.timeIntervalSince(last.at) < gap {
            throw KesuError.conflict("The next attempt is due a day after the last one.")
        }
    }

    /// Whether the follow-up still waits for an answer.
    public static func isOpen(_ earlier: [FollowUpOutcome]) -> Bool {
        !earlier.contains { $0 != .noAnswer } && earlier.count < maxAttempts
    }
}
