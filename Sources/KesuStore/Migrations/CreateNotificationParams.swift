import FluentKit

/// Notifications say what happened as a kind plus parameters, rendered in the reader's language; those stored before
/// keep their text.
struct CreateNotificationParams: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("notifications").field("params", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("notifications").deleteField("params").update()
    }
}
