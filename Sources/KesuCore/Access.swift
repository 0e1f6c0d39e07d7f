import Foundation

/// 访问主体 — who is asking: a member of staff, a customer who proved which complaint is theirs, or another system.
/// Every request becomes one of these before it reaches a use case; nothing else decides what may happen
/// (see docs/roles.md).
public enum Principal: Sendable, Equatable {
    /// A logged-in user: their role and the unit they sit in.
    case staff(StaffIdentity)
    /// A customer, proven by the complaint's private link or by its number and their phone: one complaint only.
    case customer(complaintID: UUID)
    /// A system: the operations system's own user (shipments, forwarded complaints) or an inbound channel gateway.
    case integration(Integration)

    public var isCustomer: Bool {
        if case .customer = self { return true }
        return false
    }

    /// The staff identity behind the principal: a user, or the system user an integration logs in as.
    public var staff: StaffIdentity? {
        switch self {
        case .staff(let identity), .integration(.systemUser(let identity)): identity
        case .customer, .integration(.channel): nil
        }
    }
}

/// A logged-in user as the policy sees them.
public struct StaffIdentity: Sendable, Equatable {
    public let userID: UUID
    public let role: Role
    public let unitPath: UnitPath

    public init(userID: UUID, role: Role, unitPath: UnitPath) {
        self.userID = userID
        self.role = role
        self.unitPath = unitPath
    }
}

/// Another system acting on Kesu.
public enum Integration: Sendable, Equatable {
    /// A user with the system role (its token is how the operations system calls the API).
    case systemUser(StaffIdentity)
    /// An inbound channel — the mail gateway, WeChat — which may only file complaints as the customers write them.
    case channel(Channel)
}

/// 访问对象 — what an action is done to, and the unit that owns it. Complaints, inquiries, proposals, attachments,
/// rectifications, users and units all reduce to this; organisation-wide rules (SLA policies, the calendar,
/// compensation rules, root causes) and new records have no owner.
public struct Subject: Sendable, Equatable {
    /// The unit that owns the subject (`nil`: organisation-wide, or nothing yet).
    public var owner: UnitPath?
    /// The complaint the subject belongs to, when it belongs to one: the only thing its customer may touch.
    public var complaintID: UUID?
    /// Units asked to investigate the complaint: they may read it and answer, not work it.
    public var consulted: [UnitPath]

    public init(owner: UnitPath?, complaintID: UUID? = nil, consulted: [UnitPath] = []) {
        self.owner = owner
        self.complaintID = complaintID
        self.consulted = consulted
    }

    /// Nothing in particular: a list (scoped by ``AccessPolicy/scope(of:)``), a new record, the organisation's rules.
    public static let organisation = Subject(owner: nil)
}

/// Why the policy said no; ``AccessPolicy/require(_:_:on:)`` turns it into a 403.
public enum Denial: Sendable, Equatable {
    /// The role is not granted the permission.
    case roleLacks(Role, Permission)
    /// The subject belongs to a unit outside the principal's.
    case outsideUnit
    /// The principal's unit was asked about the complaint: it may read and answer, not work it.
    case consultedOnly
    /// A customer or a channel asked for something that is not theirs to do.
    case notTheirs
}

/// 访问策略 — the one place that says whether a principal may do something to a subject.
public enum AccessPolicy {
    /// What customers may do, on their own complaint only.
    static let customerActions: Set<Permission> = [.readOwnComplaint, .actAsCustomer]

    /// `nil` when allowed, else why not.
    public static func denial(_ principal: Principal, _ permission: Permission, on subject: Subject) -> Denial? {
        switch principal {
        case .customer(let complaintID):
            guard customerActions.contains(permission), subject.complaintID == complaintID else { return .notTheirs }
            return nil
        case .integration(.channel):
            return permission == .recordComplaint && subject.owner == nil ? nil : .notTheirs
        case .staff(let identity), .integration(.systemUser(let identity)):
            guard identity.role.may(permission) else { return .roleLacks(identity.role, permission) }
            guard let owner = subject.owner, !identity.unitPath.contains(owner) else { return nil }
            guard subject.consulted.contains(where: identity.unitPath.contains) else { return .outsideUnit }
            return permission == .viewComplaints ? nil : .consultedOnly
        }
    }

    public static func allows(_ principal: Principal, _ permission: Permission, on subject: Subject = .organisation)
        -> Bool
    {
        denial(principal, permission, on: subject) == nil
    }

    /// Throws ``KesuError/Code/forbidden`` unless the principal may.
    public static func require(_ principal: Principal, _ permission: Permission, on subject: Subject = .organisation)
        throws
    {
        guard let denial = denial(principal, permission, on: subject) else { return }
        switch denial {
        case .roleLacks(let role, let permission):
            throw KesuError.forbidden("Your role (\(role.rawValue)) may not \(permission.humanName).")
        case .outsideUnit:
            throw KesuError.forbidden("This belongs to another unit.")
        case .consultedOnly:
            throw KesuError.forbidden("Your unit was asked about this complaint: answer the question; its owners work it.")
        case .notTheirs:
            throw KesuError.forbidden("This is not yours to do.")
        }
    }

    /// Which rows of an owned table the principal may list, count or export — turned into SQL by the store.
    public static func scope(of principal: Principal) -> VisibilityScope {
        switch principal {
        case .customer(let id): return .complaint(id)
        case .integration(.channel): return .nothing
        case .staff(let identity), .integration(.systemUser(let identity)):
            return identity.unitPath.depth <= 1 ? .all : .subtree(identity.unitPath)
        }
    }
}

/// Rows a principal may see: all, those owned within a unit's subtree, one complaint's, or none.
public enum VisibilityScope: Sendable, Equatable {
    case all
    case subtree(UnitPath)
    case complaint(UUID)
    case nothing
}
