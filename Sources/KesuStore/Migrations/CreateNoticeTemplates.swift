import FluentKit
import SQLKit

/// 通知模板 — the words of each notice per channel and language, where an admin changed them; a notice without a
/// row here reads as Kesu's catalog says.
struct CreateNoticeTemplates: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("notice_templates")
            .id()
            // received, reply, investigating, proposal, execution, survey, closed
            .field("notice", .string, .required)
            // email, sms
            .field("channel", .string, .required)
            // zh, en
            .field("language", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("updated_by", .string, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "notice", "channel", "language")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("notice_templates").delete()
    }
}
