import FluentKit
import Foundation

/// 二级分类 — a sub-category under one of the regulator's top-level categories, edited by admins. A retired
/// sub-category stays on the complaints that carry it but is no longer offered.
package final class SubcategoryModel: Model, @unchecked Sendable {
    package static let schema = "subcategories"

    @ID(key: .id) package var id: UUID?
    @Field(key: "code") package var code: String
    @Field(key: "category") package var category: String
    @Field(key: "name_zh") package var nameZh: String
    @Field(key: "name_en") package var nameEn: String
    @Field(key: "position") package var position: Int
    @Field(key: "active") package var active: Bool

    package init() {}
}
