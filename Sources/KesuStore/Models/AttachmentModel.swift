import FluentKit
import Foundation

/// 附件 — an evidence file of a complaint.
package final class AttachmentModel: Model, @unchecked Sendable {
    package static let schema = "attachments"

    @ID(key: .id) package var id: UUID?
    @Field(key: "complaint_id") package var complaintID: UUID
    @Field(key: "file_name") package var fileName: String
    /// Decided from the file's first bytes, never from its name.
    @Field(key: "content_type") package var contentType: String
    @Field(key: "size") package var size: Int
    @Field(key: "data") package var data: Data
    @Field(key: "uploaded_by") package var uploadedBy: String
    /// The customer uploaded it (on their page, or with the complaint they filed), not staff.
    @Field(key: "by_customer") package var byCustomer: Bool
    @Field(key: "customer_visible") package var customerVisible: Bool
    @Field(key: "created_at") package var createdAt: Date
    /// The investigation this file answers, when it came with an answer.
    @OptionalField(key: "inquiry_id") package var inquiryID: UUID?

    package init() {}
}

/// An attachment without its bytes, for lists.
package struct AttachmentInfo: Sendable {
    package var id: UUID
    package var fileName: String
    package var contentType: String
    package var size: Int
    package var customerVisible: Bool
    /// Who uploaded it, by the name the timeline gives them.
    package var uploadedBy = ""
    /// The customer uploaded it, not staff.
    package var byCustomer = false
    package var isImage: Bool { contentType.hasPrefix("image/") }
}

extension AttachmentModel {
    /// The attachments of a complaint, oldest first, without their bytes.
    package static func list(complaintID: UUID, on db: any Database) async throws -> [AttachmentInfo] {
        try await AttachmentModel.query(on: db)
            .filter(\.$complaintID == complaintID)
            .field(\.$id).field(\.$fileName).field(\.$contentType).field(\.$size).field(\.$customerVisible)
            .field(\.$uploadedBy).field(\.$byCustomer).field(\.$complaintID).field(\.$createdAt)
            .sort(\.$createdAt)
            .all()
            .compactMap { a in
                a.id.map { AttachmentInfo(id: $0, fileName: a.fileName, contentType: a.contentType, size: a.size,
                                          customerVisible: a.customerVisible, uploadedBy: a.uploadedBy,
                                          byCustomer: a.byCustomer) }
            }
    }
}
