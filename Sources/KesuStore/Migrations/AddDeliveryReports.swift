import FluentKit
import SQLKit

/// 回执 — when a sent message's delivery report is next asked for (SMS gateways report whether it reached the phone);
/// empty once it is known, for channels that do not report, and a day after sending. Reports a service pushes
/// (WeChat's template-send receipt) find their message by the service's reference.
struct AddDeliveryReports: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("outbound_messages").field("report_at", .datetime).update()
        try await database.sql.raw("""
            CREATE INDEX outbound_report ON outbound_messages (report_at) WHERE report_at IS NOT NULL
            """).run()
        try await database.sql.raw("""
            CREATE INDEX outbound_provider_ref ON outbound_messages (channel, provider_ref) WHERE provider_ref IS NOT NULL
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql.raw("DROP INDEX outbound_provider_ref").run()
        try await database.sql.raw("DROP INDEX outbound_report").run()
        try await database.schema("outbound_messages").deleteField("report_at").update()
    }
}
