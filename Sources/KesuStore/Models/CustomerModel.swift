import FluentKit
import Foundation

/// 客户 — a customer, keyed by phone number.
package final class CustomerModel: Model, @unchecked Sendable {
    package static let schema = "customers"

    @ID(key: .id) package var id: UUID?
    @Field(key: "phone") package var phone: String
    @Field(key: "name") package var name: String
    @OptionalField(key: "email") package var email: String?
    /// `individual` or `business`.
    @Field(key: "kind") package var kind: String
    @Field(key: "complaint_count") package var complaintCount: Int
    @Field(key: "created_at") package var createdAt: Date
    /// The customer turned off non-essential notices.
    @OptionalField(key: "notices_off") package var noticesOff: Bool?

    package init() {}

    package init(id: UUID, phone: String, name: String, email: String?, kind: String = "individual",
                 complaintCount: Int = 0, createdAt: Date) {
        self.id = id
        self.phone = phone
        self.name = name
        self.email = email
        self.kind = kind
        self.complaintCount = complaintCount
        self.createdAt = createdAt
    }
}
