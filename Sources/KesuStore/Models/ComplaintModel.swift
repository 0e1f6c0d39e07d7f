import FluentKit
import Foundation

/// 客诉工单 — a complaint row.
package final class ComplaintModel: Model, @unchecked Sendable {
    package static let schema = "complaints"

    @ID(key: .id) package var id: UUID?
    @Field(key: "number") package var number: String
    @Field(key: "status") package var status: String
    @OptionalField(key: "held_from") package var heldFrom: String?
    @Field(key: "channel") package var channel: String
    @OptionalField(key: "category") package var category: String?
    /// A `subcategories.code` under `category`.
    @OptionalField(key: "subcategory") package var subcategory: String?
    @Field(key: "priority") package var priority: String
    @Field(key: "description") package var description: String
    @Parent(key: "customer_id") package var customer: CustomerModel
    @OptionalParent(key: "assignee_id") package var assignee: UserModel?
    @OptionalParent(key: "outlet_id") package var outlet: OrgUnitModel?
    /// The organisation path that decides who may see the complaint: its outlet's, or the root's.
    @Field(key: "scope_path") package var scopePath: String
    @Field(key: "escalation_level") package var escalationLevel: Int
    /// Comma-separated flags: repeat, regulator, regulator_risk, media_risk, perishable, urgent, …
    @Field(key: "flags") package var flags: String
    /// The waybill numbers, comma-separated, as recorded (the index lives in `complaint_waybills`).
    @Field(key: "waybills") package var waybills: String
    @OptionalField(key: "resolution_summary") package var resolutionSummary: String?
    @OptionalField(key: "responsible_party") package var responsibleParty: String?
    @OptionalField(key: "root_cause") package var rootCause: String?
    /// 责任认定: the unit found responsible (an outlet, transfer centre or courier), a person's name, the reason and
    /// the evidence relied on (one reference per line: an attachment, a scan, a call record).
    @OptionalField(key: "responsible_unit_id") package var responsibleUnitID: UUID?
    @OptionalField(key: "responsible_person") package var responsiblePerson: String?
    @OptionalField(key: "responsibility_reason") package var responsibilityReason: String?
    @OptionalField(key: "responsibility_evidence") package var responsibilityEvidence: String?
    @Field(key: "received_at") package var receivedAt: Date
    /// The nearest deadline of the clocks still running (breached ones included), for the queue's badge.
    @OptionalField(key: "due_at") package var dueAt: Date?
    @OptionalField(key: "due_warn_at") package var dueWarnAt: Date?
    @OptionalField(key: "due_kind") package var dueKind: String?
    @OptionalField(key: "first_reply_at") package var firstReplyAt: Date?
    @OptionalField(key: "closed_at") package var closedAt: Date?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "updated_at") package var updatedAt: Date

    package init() {}

    package var flagList: [String] { flags.split(separator: ",").map(String.init) }
    package var waybillList: [String] { waybills.split(separator: ",").map(String.init) }
}

/// The index from waybill number to complaints.
package final class ComplaintWaybillModel: Model, @unchecked Sendable {
    package static let schema = "complaint_waybills"

    @ID(key: .id) package var id: UUID?
    @Field(key: "complaint_id") package var complaintID: UUID
    @Field(key: "waybill") package var waybill: String

    package init() {}

    package init(id: UUID, complaintID: UUID, waybill: String) {
        self.id = id
        self.complaintID = complaintID
        self.waybill = waybill
    }
}

/// 时间线 — one append-only event of a complaint's timeline.
package final class ComplaintEventModel: Model, @unchecked Sendable {
    package static let schema = "complaint_events"

    @ID(key: .id) package var id: UUID?
    @Field(key: "complaint_id") package var complaintID: UUID
    @Field(key: "at") package var at: Date
    @OptionalField(key: "actor_id") package var actorID: UUID?
    @OptionalField(key: "actor_name") package var actorName: String?
    @Field(key: "kind") package var kind: String
    @Field(key: "customer_visible") package var customerVisible: Bool
    @OptionalField(key: "note") package var note: String?
    /// JSON object of the fields before the change.
    @OptionalField(key: "before") package var before: String?
    /// JSON object of the fields after the change.
    @OptionalField(key: "after") package var after: String?

    package init() {}
}

/// A remembered `Idempotency-Key`: a retried intake returns the complaint the first request made.
package final class IdempotencyKeyModel: Model, @unchecked Sendable {
    package static let schema = "idempotency_keys"

    @ID(key: .id) package var id: UUID?
    @Field(key: "user_id") package var userID: UUID
    @Field(key: "key") package var key: String
    @Field(key: "fingerprint") package var fingerprint: String
    @Field(key: "complaint_id") package var complaintID: UUID
    @Field(key: "created_at") package var createdAt: Date

    package init() {}
}
