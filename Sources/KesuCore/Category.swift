/// 投诉类别 — the top-level complaint categories, those of the State Post Bureau's monthly appeal bulletin
/// (申诉通告), so Kesu's reports line up with the regulator's.
public enum ComplaintCategory: String, CaseIterable, Codable, Sendable {
    case deliveryService = "delivery_service"
    case delay
    case loss
    case damage
    case pickupService = "pickup_service"
    case improperCharge = "improper_charge"
    case cod
    case other

    /// The category of a WeChat express-complaint code (1004 延误 … 1008 其他), if it is one.
    public init?(weChatCode: Int) {
        switch weChatCode {
        case 1004: self = .delay
        case 1005: self = .loss
        case 1006: self = .damage
        case 1007: self = .deliveryService
        case 1008: self = .other
        default: return nil
        }
    }
}

/// 受理渠道 — where a complaint came in.
public enum Channel: String, CaseIterable, Codable, Sendable {
    case phone, web, email, wechat, app, api, regulator, platform
}

/// 优先级 — P1 urgent … P4 low.
public enum Priority: String, CaseIterable, Codable, Sendable, Comparable {
    case p1 = "P1", p2 = "P2", p3 = "P3", p4 = "P4"

    public var rank: Int {
        switch self {
        case .p1: 1
        case .p2: 2
        case .p3: 3
        case .p4: 4
        }
    }
    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rank > rhs.rank }
}

/// 责任方 — who is responsible for what went wrong (责任认定).
public enum ResponsibleParty: String, CaseIterable, Codable, Sendable {
    case courier, outlet
    case transferCentre = "transfer_centre"
    case sales
    case carrier
    case agent
    case customer
    case forceMajeure = "force_majeure"
    case maliciousClaim = "malicious_claim"
}
