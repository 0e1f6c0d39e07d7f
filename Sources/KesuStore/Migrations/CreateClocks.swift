import FluentKit
import Foundation
import KesuCore
import SQLKit

/// 时限: SLA policies, the business calendar (hours per weekday, holidays and make-up days), each complaint's
/// clocks, the complaint's nearest deadline for the queue, and in-app notifications.
struct CreateClocks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("sla_policies")
            .id()
            .field("category", .string)
            .field("priority", .string)
            .field("channel", .string)
            .field("first_reply_seconds", .int, .required)
            .field("resolution_seconds", .int, .required)
            .field("regulator_seconds", .int, .required)
            .field("warn_percent", .int, .required)
            .field("pause_statuses", .string, .required)
            .field("business_time", .bool, .required)
            .field("warn_actions", .string, .required)
            .field("breach_actions", .string, .required)
            .field("updated_at", .datetime, .required)
            .create()
        // The seed's defaults, and DOMAIN.md's example of a tighter P1 (reply in 2 h, resolve in 24 h).
        for (priority, reply, resolve) in [(nil as String?, 24, 48), ("P1", 2, 24)] {
            try await database.sql.raw("""
                INSERT INTO sla_policies (id, category, priority, channel, first_reply_seconds, resolution_seconds,
                    regulator_seconds, warn_percent, pause_statuses, business_time, warn_actions, breach_actions,
                    updated_at)
                VALUES (\(bind: UUID()), NULL, \(bind: priority), NULL, \(bind: reply * 3_600), \(bind: resolve * 3_600),
                    \(bind: 10 * 86_400), 80, 'on_hold', \(bind: false), 'notify', 'notify,escalate', \(bind: Date()))
                """).run()
        }

        try await database.schema("calendar_days")
            .field("day", .string, .required)
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .unique(on: "day")
            .create()
        for year in ChineseHolidays.shipped {
            let note = year.provisional ? "（调休安排待公布）" : ""
            for (day, name) in year.holidays {
                try await insertDay(day, "holiday", name + note, on: database)
            }
            for (day, name) in year.workdays {
                try await insertDay(day, "workday", name, on: database)
            }
        }
        try await database.schema("calendar_hours")
            .field("weekday", .int, .required)
            .field("hours", .string, .required)
            .unique(on: "weekday")
            .create()
        for weekday in 1...5 {
            try await database.sql.raw("""
                INSERT INTO calendar_hours (weekday, hours) VALUES (\(bind: weekday), '09:00-18:00')
                """).run()
        }

        try await database.schema("complaint_clocks")
            .id()
            .field("complaint_id", .uuid, .required, .references("complaints", "id"))
            .clockFields()
            .create()
        try await database.createIndex("complaint_clocks_complaint", on: "complaint_clocks", "complaint_id")
        // The scheduler's one query: only clocks with something still to fire are in this index.
        try await database.sql.raw("""
            CREATE INDEX complaint_clocks_next_fire ON complaint_clocks (next_fire_at) WHERE next_fire_at IS NOT NULL
            """).run()
        // Reports read the clocks of complaints received in a period.
        try await database.createIndex("complaint_clocks_kind_started", on: "complaint_clocks", "kind", "started_at")

        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await database.schema("complaints").field("due_at", .datetime).update()
        try await database.schema("complaints").field("due_warn_at", .datetime).update()
        try await database.schema("complaints").field("due_kind", .string).update()

        try await database.schema("notifications")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("complaint_id", .uuid, .references("complaints", "id"))
            .field("kind", .string, .required)
            .field("text", .string, .required)
            .field("created_at", .datetime, .required)
            .field("read_at", .datetime)
            .create()
        try await database.createIndex("notifications_user", on: "notifications", "user_id", "created_at")
        // The header's unread count reads only unread rows.
        try await database.sql.raw("""
            CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL
            """).run()
    }

    private func insertDay(_ day: LocalDay, _ kind: String, _ name: String, on database: any Database) async throws {
        try await database.sql.raw("""
            INSERT INTO calendar_days (day, kind, name) VALUES (\(bind: day.description), \(bind: kind), \(bind: name))
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("notifications").delete()
        for column in ["due_at", "due_warn_at", "due_kind"] {
            try await database.schema("complaints").deleteField(.string(column)).update()
        }
        try await database.schema("complaint_clocks").delete()
        try await database.schema("calendar_hours").delete()
        try await database.schema("calendar_days").delete()
        try await database.schema("sla_policies").delete()
    }
}
