import FluentKit
import Foundation

/// 组织单元 — a row of the organisation tree (HQ, region, transfer centre, outlet, courier).
package final class OrgUnitModel: Model, @unchecked Sendable {
    package static let schema = "org_units"

    @ID(key: .id) package var id: UUID?
    @Field(key: "code") package var code: String
    @Field(key: "name") package var name: String
    @Field(key: "kind") package var kind: String
    @OptionalField(key: "parent_id") package var parentID: UUID?
    /// `/root/…/this/`: the unit and its subtree are the paths with this prefix.
    @Field(key: "path") package var path: String
    @Field(key: "created_at") package var createdAt: Date

    package init() {}

    package init(id: UUID, code: String, name: String, kind: String, parentID: UUID?, path: String, createdAt: Date) {
        self.id = id
        self.code = code
        self.name = name
        self.kind = kind
        self.parentID = parentID
        self.path = path
        self.createdAt = createdAt
    }
}
