/// 角色 — what a staff user does, and so what they may do.
public enum Role: String, CaseIterable, Codable, Sendable {
    /// 客服
    case agent
    /// 客服主管
    case supervisor
    /// 网点
    case outlet
    /// 理赔
    case claims
    /// 质控 / 总部
    case quality
    /// 管理员
    case admin
    /// 系统对接 — the operations system and other services that push data (shipments, forwarded complaints).
    case system

    /// The grant table; callers ask ``AccessPolicy``, which also weighs the subject.
    func may(_ permission: Permission) -> Bool {
        Self.grants[self, default: []].contains(permission)
    }

    private static let grants: [Role: Set<Permission>] = [
        .agent: [.recordComplaint, .viewComplaints, .workComplaints, .viewShipments, .seeCustomerPhones,
                 .viewProblemParcels, .workProblemParcels, .askBlacklistLift],
        .supervisor: [.recordComplaint, .viewComplaints, .workComplaints, .assignComplaints, .viewShipments, .seeCustomerPhones,
                      .viewUsers, .viewReports, .markTypicalCases, .verifyRectifications, .viewProblemParcels,
                      .workProblemParcels, .viewFines, .askBlacklistLift],
        .outlet: [.viewComplaints, .workComplaints, .viewShipments, .registerProblemParcels, .viewProblemParcels,
                  .workProblemParcels, .viewFines, .appealFines, .askBlacklistLift],
        .claims: [.viewComplaints, .workComplaints, .viewShipments, .seeCustomerPhones, .viewProblemParcels, .viewFines,
                  .askBlacklistLift],
        .quality: [.recordComplaint, .viewComplaints, .workComplaints, .assignComplaints, .viewShipments, .seeCustomerPhones,
                   .viewUsers, .viewReports, .markTypicalCases, .verifyRectifications, .manageRootCauses,
                   .viewProblemParcels, .workProblemParcels, .manageProblemParcels, .viewFines, .issueFines, .reviewFines,
                   .manageFineRules, .reviewCustomers, .askBlacklistLift],
        .admin: Set(Permission.allCases).subtracting(AccessPolicy.customerActions),
        .system: [.recordComplaint, .viewComplaints, .pushShipments, .viewShipments, .seeCustomerPhones,
                  .registerProblemParcels, .viewProblemParcels],
    ]
}

/// 权限 — one thing a role may do.
public enum Permission: String, CaseIterable, Sendable {
    case recordComplaint
    case viewComplaints
    case workComplaints
    case assignComplaints
    case viewShipments
    case pushShipments
    case viewUsers
    case manageUsers
    case manageOrganisation
    /// Edit SLA policies and the business calendar.
    case manageClocks
    /// Read the SLA and other reports.
    case viewReports
    /// Add versions of the compensation rules.
    case manageCompensation
    /// Mark closed complaints as typical cases (典型案例).
    case markTypicalCases
    /// Check that a rectification was really carried out.
    case verifyRectifications
    /// Edit the list of root causes.
    case manageRootCauses
    /// See the work queue and send dead jobs again.
    case manageJobs
    /// Change the words of the notices customers get (通知模板).
    case manageNotices
    /// Register a problem parcel (问题件): couriers, outlets, the operations system.
    case registerProblemParcels
    /// See problem parcels (of one's unit's subtree).
    case viewProblemParcels
    /// Follow up and settle problem parcels.
    case workProblemParcels
    /// Edit the problem parcels' reasons and lapse.
    case manageProblemParcels
    /// See fines (考核) of one's unit's subtree, their evidence and the monthly statements.
    case viewFines
    /// Issue a fine on an outlet or courier below one's unit, citing a rule.
    case issueFines
    /// Appeal a fine on one's own unit (申诉), with evidence; accept it; ask for the second review.
    case appealFines
    /// Decide an appeal (复核): uphold, reduce or revoke — never a fine one issued.
    case reviewFines
    /// Edit the catalogue of fine and reward rules and the appeal windows.
    case manageFineRules
    /// Open and decide a review of a customer flagged by the malicious-complainant signals; list, dismiss, lift.
    case reviewCustomers
    /// Ask, for a customer or for the outlet, that a listing be lifted.
    case askBlacklistLift
    /// See customers' phone numbers whole (outlets see them masked).
    case seeCustomerPhones
    /// A customer reads their own complaint (its private page, its files).
    case readOwnComplaint
    /// A customer writes to their complaint, answers its proposals, rates its handling.
    case actAsCustomer

    var humanName: String {
        switch self {
        case .recordComplaint: "record complaints"
        case .viewComplaints: "view complaints"
        case .workComplaints: "work on complaints"
        case .assignComplaints: "assign complaints"
        case .viewShipments: "view shipments"
        case .pushShipments: "push shipments"
        case .viewUsers: "view users"
        case .manageUsers: "manage users"
        case .manageOrganisation: "manage organisation units"
        case .manageClocks: "change SLA policies or the business calendar"
        case .viewReports: "read reports"
        case .manageCompensation: "change the compensation rules"
        case .markTypicalCases: "mark typical cases"
        case .verifyRectifications: "verify rectifications"
        case .manageRootCauses: "change the list of root causes"
        case .manageJobs: "look after the work queue"
        case .manageNotices: "change the words of customer notices"
        case .registerProblemParcels: "register problem parcels"
        case .viewProblemParcels: "see problem parcels"
        case .workProblemParcels: "follow up or settle problem parcels"
        case .manageProblemParcels: "change the problem parcels' reasons or lapse"
        case .viewFines: "see fines"
        case .issueFines: "issue fines"
        case .appealFines: "appeal fines"
        case .reviewFines: "review appeals against fines"
        case .manageFineRules: "change the fine rules or the appeal windows"
        case .reviewCustomers: "review customers for the blacklist"
        case .askBlacklistLift: "ask for a listing to be lifted"
        case .seeCustomerPhones: "see customers' phone numbers"
        case .readOwnComplaint: "read a customer's page"
        case .actAsCustomer: "answer for the customer"
        }
    }
}

/// 组织类型 — the levels of the organisation tree: HQ → region → transfer centre / outlet → courier.
public enum UnitKind: String, CaseIterable, Codable, Sendable {
    case hq
    case region
    case transferCentre = "transfer_centre"
    case outlet
    case courier

    /// Which kinds may sit directly under this one.
    public var allowedChildren: [UnitKind] {
        switch self {
        case .hq: [.region, .transferCentre, .outlet]
        case .region: [.transferCentre, .outlet]
        case .transferCentre: [.outlet]
        case .outlet: [.courier]
        case .courier: []
        }
    }
}

/// 组织路径 — a unit's place in the tree as `/root/…/unit/`, so "this unit and everything below it" is a prefix.
public struct UnitPath: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The path of a root unit.
    public static func root(_ id: String) -> UnitPath { UnitPath(rawValue: "/\(id)/") }
    /// The path of a child of this unit.
    public func child(_ id: String) -> UnitPath { UnitPath(rawValue: rawValue + id + "/") }
    /// Whether `other` is this unit or lies below it.
    public func contains(_ other: UnitPath) -> Bool { other.rawValue.hasPrefix(rawValue) }
    /// How deep the unit is: 1 for a root.
    public var depth: Int { rawValue.split(separator: "/").count }
    public var description: String { rawValue }
}
