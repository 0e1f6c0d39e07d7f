import FluentKit
import Foundation

/// 话术 — a canned reply with placeholders ({客户}, {工单号}, {承诺时间}, {处理人}).
package final class CannedReplyModel: Model, @unchecked Sendable {
    package static let schema = "canned_replies"

    @ID(key: .id) package var id: UUID?
    @Field(key: "title") package var title: String
    @Field(key: "body") package var body: String
    @Field(key: "position") package var position: Int
    @Field(key: "created_at") package var createdAt: Date

    package init() {}
}
