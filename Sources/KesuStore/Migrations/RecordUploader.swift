import FluentKit
import SQLKit

/// Whether the customer uploaded a file (their own photos are marked so on their page), as a stored fact instead of
/// a guess from the uploader's name. Files stored before take it from the timeline entry their upload wrote (same
/// complaint, file name and moment): only the customer's uploads were written without a user.
struct RecordUploader: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.sql.raw("ALTER TABLE attachments ADD COLUMN by_customer BOOLEAN NOT NULL DEFAULT FALSE").run()
        try await database.sql.raw("""
            UPDATE attachments SET by_customer = EXISTS (
                SELECT 1 FROM complaint_events e
                WHERE e.complaint_id = attachments.complaint_id AND e.kind = 'attachment' AND e.actor_id IS NULL
                  AND e.note = attachments.file_name AND e.at = attachments.created_at)
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("attachments").deleteField("by_customer").update()
    }
}
