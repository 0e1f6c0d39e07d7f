import FluentKit
import Foundation
import SQLKit

/// 二级分类 — the sub-categories DOMAIN.md lists under each regulator category, and the complaint's column for one.
struct CreateSubcategory: AsyncMigration {
    /// (category, code, 中文, English), in the order they are offered.
    static let defaults: [(String, String, String, String)] = [
        ("delivery_service", "not_to_door", "未送货上门", "Not delivered to the door"),
        ("delivery_service", "station_without_consent", "未经同意放驿站/快递柜", "Left at a station or locker without consent"),
        ("delivery_service", "signed_without_recipient", "未本人签收", "Signed without the recipient"),
        ("delivery_service", "courier_attitude", "快递员态度", "Courier's attitude"),
        ("delivery_service", "wrong_delivery", "误投", "Delivered to the wrong place"),
        ("delay", "late_delivery", "派送延误", "Late delivery"),
        ("delay", "stuck_in_transit", "中转滞留", "Stuck in transit"),
        ("delay", "tracking_not_updated", "物流信息不更新", "Tracking not updated"),
        ("loss", "lost_parcel", "整件丢失", "Lost parcel"),
        ("loss", "missing_contents", "内件短少", "Missing contents"),
        ("loss", "stolen", "被盗/冒领", "Stolen or taken by someone else"),
        ("damage", "broken_packaging", "外包装破损", "Broken packaging"),
        ("damage", "damaged_contents", "内件损坏", "Damaged contents"),
        ("pickup_service", "pickup_missed", "未按约上门揽收", "Pickup missed or late"),
        ("pickup_service", "pickup_refused", "拒绝收寄", "Refused to pick up"),
        ("pickup_service", "pickup_attitude", "揽收态度", "Attitude at pickup"),
        ("improper_charge", "above_quote", "超出报价收费", "Charged above the quoted price"),
        ("improper_charge", "locker_fee", "快递柜/驿站收费", "Locker or station fee"),
        ("improper_charge", "billing_weight", "计费重量错误", "Billing weight error"),
        ("cod", "cod_not_paid", "货款未返还", "Collected money not paid out"),
        ("cod", "cod_wrong_amount", "货款金额错误", "Wrong collected amount"),
        ("other", "address_error", "地址/收件人信息错误", "Address or recipient information error"),
        ("other", "service_attitude", "客服态度", "Customer-service attitude"),
    ]

    func prepare(on database: any Database) async throws {
        try await database.schema("subcategories")
            .id()
            .field("code", .string, .required)
            .field("category", .string, .required)
            .field("name_zh", .string, .required)
            .field("name_en", .string, .required)
            .field("position", .int, .required)
            .field("active", .bool, .required)
            .unique(on: "code")
            .create()
        var position = 0
        for (category, code, zh, en) in Self.defaults {
            position += 1
            try await database.sql.raw("""
                INSERT INTO subcategories (id, code, category, name_zh, name_en, position, active)
                VALUES (\(bind: UUID()), \(bind: code), \(bind: category), \(bind: zh), \(bind: en), \(bind: position), \(bind: true))
                """).run()
        }
        try await database.schema("complaints").field("subcategory", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("complaints").deleteField("subcategory").update()
        try await database.schema("subcategories").delete()
    }
}
