import FluentKit
import Foundation
import SQLKit

/// 话术 — canned replies, with the standard ones of a Chinese express company's customer service to start with.
/// Placeholders: {客户} the customer's name, {工单号} the complaint number, {承诺时间} the promised time,
/// {处理人} the handler's name.
struct CreateCannedReply: AsyncMigration {
    static let defaults: [(String, String)] = [
        ("受理确认", "{客户}您好，您的投诉（工单号 {工单号}）已受理，我是处理人{处理人}。我们会在{承诺时间}前给您答复，请保持电话畅通。"),
        ("核实中", "{客户}您好，关于工单 {工单号}，我们正在联系网点核实情况，{承诺时间}前一定给您回复。给您带来不便，非常抱歉。"),
        ("处理方案", "{客户}您好，工单 {工单号} 已核实清楚，我们为您准备了处理方案，稍后{处理人}会致电与您确认。"),
        ("结案回访", "{客户}您好，我是{处理人}。工单 {工单号} 已处理完毕，请问您对处理结果是否满意？感谢您的支持。"),
    ]

    func prepare(on database: any Database) async throws {
        try await database.schema("canned_replies")
            .id()
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("position", .int, .required)
            .field("created_at", .datetime, .required)
            .create()
        var position = 0
        for (title, body) in Self.defaults {
            position += 1
            try await database.sql.raw("""
                INSERT INTO canned_replies (id, title, body, position, created_at)
                VALUES (\(bind: UUID()), \(bind: title), \(bind: body), \(bind: position), \(bind: Date()))
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("canned_replies").delete()
    }
}
