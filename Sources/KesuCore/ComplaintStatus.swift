/// 工单状态 — where a complaint stands in its lifecycle (docs/domain.md, "Lifecycle").
public enum ComplaintStatus: String, CaseIterable, Codable, Sendable {
    /// 已受理
    case received
    /// 已分派
    case triaged
    /// 调查中
    case investigating
    /// 方案待定
    case proposing
    /// 待客户确认
    case awaitingCustomer = "awaiting_customer"
    /// 执行中
    case executing
    /// 待回访
    case followUp = "follow_up"
    /// 已结案
    case closed
    /// 挂起 — waiting on the customer or a third party.
    case onHold = "on_hold"
    /// 已重开 — an unsatisfied follow-up or a new complaint on the same matter brought it back.
    case reopened

    /// Whether work on the complaint is still open.
    public var isOpen: Bool { self != .closed }
}
