import FluentKit
import Foundation
import SQLKit

/// An admin's words for one notice on one channel in one language.
package struct NoticeTemplateRow: Sendable, Equatable {
    package var notice, channel, language, subject, body, updatedBy: String
    package var updatedAt: Date

    package init(notice: String, channel: String, language: String, subject: String, body: String, updatedBy: String,
                 updatedAt: Date) {
        self.notice = notice
        self.channel = channel
        self.language = language
        self.subject = subject
        self.body = body
        self.updatedBy = updatedBy
        self.updatedAt = updatedAt
    }
}

package enum NoticeTemplateStore {
    package static func all(on db: any Database) async throws -> [NoticeTemplateRow] {
        try await db.sql.select().columns("notice", "channel", "language", "subject", "body", "updated_by", "updated_at")
            .from("notice_templates").all().map(decode)
    }

    package static func find(notice: String, channel: String, on db: any Database) async throws -> [NoticeTemplateRow] {
        try await db.sql.select().columns("notice", "channel", "language", "subject", "body", "updated_by", "updated_at")
            .from("notice_templates").where("notice", .equal, SQLBind(notice)).where("channel", .equal, SQLBind(channel))
            .all().map(decode)
    }

    /// Replaces the words of one notice and channel (both languages), or with none goes back to the catalog's.
    package static func replace(notice: String, channel: String, with rows: [NoticeTemplateRow], id: () -> UUID,
                                on db: any Database) async throws {
        try await db.sql.delete(from: "notice_templates").where("notice", .equal, SQLBind(notice))
            .where("channel", .equal, SQLBind(channel)).run()
        for row in rows {
            try await db.sql.insert(into: "notice_templates")
                .columns("id", "notice", "channel", "language", "subject", "body", "updated_by", "updated_at")
                .values(SQLBind(id()), SQLBind(row.notice), SQLBind(row.channel), SQLBind(row.language), SQLBind(row.subject),
                        SQLBind(row.body), SQLBind(row.updatedBy), SQLBind(row.updatedAt))
                .run()
        }
    }

    static func decode(_ row: any SQLRow) throws -> NoticeTemplateRow {
        NoticeTemplateRow(notice: try row.decode(column: "notice", as: String.self), channel: try row.decode(column: "channel", as: String.self),
                          language: try row.decode(column: "language", as: String.self),
                          subject: try row.decode(column: "subject", as: String.self), body: try row.decode(column: "body", as: String.self),
                          updatedBy: try row.decode(column: "updated_by", as: String.self),
                          updatedAt: try row.decode(column: "updated_at", as: Date.self))
    }
}
