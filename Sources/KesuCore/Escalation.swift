import Foundation

/// Someone escalations can reach: an active supervisor or quality staff member, and the unit they sit in.
public struct Escalatee: Sendable, Equatable {
    public var id: UUID
    public var username: String
    public var displayName: String
    public var role: Role
    public var unitPath: UnitPath

    public init(id: UUID, username: String, displayName: String, role: Role, unitPath: UnitPath) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.role = role
        self.unitPath = unitPath
    }
}

/// 升级 — who answers for a complaint as its clocks run out, and what one warning or breach does to it
/// (docs/domain.md, "Clocks and escalation").
public enum Escalation {
    /// The level names' catalog keys: outlet (0), region (1), HQ (2), the regulator (3).
    public static func levelKey(_ level: Int) -> String {
        switch level {
        case ...0: "outlet"
        case 1: "region"
        case 2: "hq"
        default: "regulator"
        }
    }

    /// Who answers for a complaint at an escalation level: the supervisors of the deepest unit above the complaint
    /// that the level allows — at level 0 the nearest one (the outlet's, else the region's, else HQ's), at level 1
    /// a region's or HQ's, from level 2 HQ's. Supervisors come before quality staff, then by username.
    public static func responders(for scope: UnitPath, level: Int, among people: [Escalatee]) -> [Escalatee] {
        let maxDepth = level >= 2 ? 1 : level == 1 ? 2 : Int.max
        let covering = people.filter { scope.rawValue.hasPrefix($0.unitPath.rawValue) && $0.unitPath.depth <= maxDepth }
        guard let deepest = covering.map(\.unitPath.depth).max() else { return [] }
        return covering.filter { $0.unitPath.depth == deepest }
            .sorted { ($0.role == .supervisor ? 0 : 1, $0.username) < ($1.role == .supervisor ? 0 : 1, $1.username) }
    }

    /// What one firing does to its complaint.
    public struct Outcome: Sendable, Equatable {
        /// The level it rises to, when it rises.
        public var raisedTo: Int?
        /// The supervisor it goes to, when it is reassigned.
        public var reassignedTo: Escalatee?
        /// Who is told, the (new) assignee first.
        public var notified: [UUID]
    }

    /// Applies a firing's actions to a complaint at `level`, held by `assignee`, owned by the unit at `scope`: it rises
    /// at most one step per batch (`raisedThisBatch`) and never past HQ on its own; it goes to the first responder of
    /// its (new) level unless they hold it already; the assignee and the responders are told.
    public static func outcome(of actions: Set<EscalationAction>, level: Int, raisedThisBatch: Bool, assignee: UUID?,
                               scope: UnitPath, people: [Escalatee]) -> Outcome {
        var outcome = Outcome(raisedTo: nil, reassignedTo: nil, notified: [])
        var level = level
        if actions.contains(.escalate), !raisedThisBatch {
            let next = ClockRules.escalated(from: level)
            if next > level {
                outcome.raisedTo = next
                level = next
            }
        }
        let chain = responders(for: scope, level: level, among: people)
        var holder = assignee
        if actions.contains(.reassign), let boss = chain.first, boss.id != assignee {
            outcome.reassignedTo = boss
            holder = boss.id
        }
        if actions.contains(.notify) {
            var recipients = chain.map(\.id)
            if let holder, !recipients.contains(holder) { recipients.insert(holder, at: 0) }
            outcome.notified = recipients
        }
        return outcome
    }
}
