import FluentKit
import Foundation
import KesuCore
import SQLKit

/// The SLA policy table and the business calendar, as the clocks use them.
package struct ClockSettings: Sendable {
    package var rules: [PolicyRule]
    package var calendar: BusinessCalendar

    package init(rules: [PolicyRule], calendar: BusinessCalendar) {
        self.rules = rules
        self.calendar = calendar
    }

    package func rule(category: ComplaintCategory?, priority: Priority, channel: KesuCore.Channel) -> PolicyRule {
        PolicyRule.choose(from: rules, category: category, priority: priority, channel: channel)
    }

    /// The rule for a stored complaint: its category, priority and channel as they stand now.
    package func rule(for complaint: ComplaintModel) -> PolicyRule {
        rule(category: complaint.category.flatMap(ComplaintCategory.init(rawValue:)),
             priority: Priority(rawValue: complaint.priority) ?? .p3,
             channel: KesuCore.Channel(rawValue: complaint.channel) ?? .phone)
    }
}

/// One row of `sla_policies`, as the admin pages and the API show it.
package struct PolicyRow: Sendable {
    package var id: UUID
    package var rule: PolicyRule
    package var updatedAt: Date
}

/// One row of `calendar_days`.
package struct CalendarDayRow: Sendable {
    package var day: LocalDay
    package var workday: Bool
    package var name: String
}

package enum ClockSettingsStore {
    package static func policies(on db: any Database) async throws -> [PolicyRow] {
        let rows = try await db.sql.raw("""
            SELECT id, category, priority, channel, first_reply_seconds, resolution_seconds, regulator_seconds,
                warn_percent, pause_statuses, business_time, warn_actions, breach_actions, updated_at
            FROM sla_policies
            """).all()
        let decoded = try rows.map { row in
            let id = try row.decode(column: "id", as: UUID.self)
            let policy = ClockPolicy(
                firstReply: TimeInterval(try row.decode(column: "first_reply_seconds", as: Int.self)),
                resolution: TimeInterval(try row.decode(column: "resolution_seconds", as: Int.self)),
                regulator: TimeInterval(try row.decode(column: "regulator_seconds", as: Int.self)),
                warnFraction: Double(try row.decode(column: "warn_percent", as: Int.self)) / 100,
                pauseStatuses: ClockStore.parse(try row.decode(column: "pause_statuses", as: String.self),
                                                as: ComplaintStatus.self),
                businessTime: try row.decode(column: "business_time", as: Bool.self),
                warnActions: ClockStore.parse(try row.decode(column: "warn_actions", as: String.self),
                                              as: EscalationAction.self),
                breachActions: ClockStore.parse(try row.decode(column: "breach_actions", as: String.self),
                                                as: EscalationAction.self))
            return PolicyRow(
                id: id,
                rule: PolicyRule(
                    id: id.uuidString,
                    category: try row.decode(column: "category", as: String?.self).flatMap(ComplaintCategory.init(rawValue:)),
                    priority: try row.decode(column: "priority", as: String?.self).flatMap(Priority.init(rawValue:)),
                    channel: try row.decode(column: "channel", as: String?.self).flatMap(KesuCore.Channel.init(rawValue:)),
                    policy: policy),
                updatedAt: try row.decode(column: "updated_at", as: Date.self))
        }
        // Stable order for pages: general rules first.
        return decoded.sorted {
            ($0.rule.category?.rawValue ?? "", $0.rule.priority?.rawValue ?? "", $0.rule.channel?.rawValue ?? "")
                < ($1.rule.category?.rawValue ?? "", $1.rule.priority?.rawValue ?? "", $1.rule.channel?.rawValue ?? "")
        }
    }

    /// Adds a policy (no `id`) or replaces one. Two rules for the same category × priority × channel are refused.
    package static func save(id: UUID?, rule: PolicyRule, now: Date, newID: UUID, on db: any Database) async throws
        -> UUID
    {
        try rule.policy.validate()
        let existing = try await policies(on: db)
        if existing.contains(where: { $0.id != id && $0.rule.category == rule.category
            && $0.rule.priority == rule.priority && $0.rule.channel == rule.channel }) {
            throw KesuError.conflict("A policy for this category, priority and channel exists already.")
        }
        let p = rule.policy
        let values: [String: any Encodable & Sendable] = [
            "category": rule.category?.rawValue, "priority": rule.priority?.rawValue, "channel": rule.channel?.rawValue,
            "first_reply_seconds": Int(p.firstReply), "resolution_seconds": Int(p.resolution),
            "regulator_seconds": Int(p.regulator), "warn_percent": Int((p.warnFraction * 100).rounded()),
            "pause_statuses": ClockStore.csv(p.pauseStatuses), "business_time": p.businessTime,
            "warn_actions": ClockStore.csv(p.warnActions), "breach_actions": ClockStore.csv(p.breachActions),
            "updated_at": now,
        ]
        if let id {
            guard existing.contains(where: { $0.id == id }) else { throw KesuError.notFound("No policy \(id).") }
            var update = try db.sql.update("sla_policies")
            for (column, value) in values { update = update.set(column, to: SQLBind(value)) }
            try await update.where("id", .equal, SQLBind(id)).run()
            return id
        }
        let columns = ["id"] + values.keys.sorted()
        try await db.sql.insert(into: "sla_policies").columns(columns)
            .values([SQLBind(newID)] + values.keys.sorted().map { SQLBind(values[$0] ?? nil as String?) }).run()
        return newID
    }

    package static func deletePolicy(_ id: UUID, on db: any Database) async throws {
        let rows = try await policies(on: db)
        guard let row = rows.first(where: { $0.id == id }) else { throw KesuError.notFound("No policy \(id).") }
        if row.rule.category == nil, row.rule.priority == nil, row.rule.channel == nil {
            throw KesuError.conflict("The general policy cannot be removed; change its figures instead.")
        }
        try await db.sql.delete(from: "sla_policies").where("id", .equal, SQLBind(id)).run()
    }

    package static func days(on db: any Database) async throws -> [CalendarDayRow] {
        try await db.sql.raw("SELECT day, kind, name FROM calendar_days ORDER BY day").all().compactMap { row in
            guard let day = LocalDay(try row.decode(column: "day", as: String.self)) else { return nil }
            return CalendarDayRow(day: day, workday: try row.decode(column: "kind", as: String.self) == "workday",
                                  name: try row.decode(column: "name", as: String.self))
        }
    }

    /// Marks a day as a holiday or a make-up working day, or (`kind` nil) back to its weekday's rule.
    package static func setDay(_ day: LocalDay, workday: Bool?, name: String, on db: any Database) async throws {
        try await db.sql.delete(from: "calendar_days").where("day", .equal, SQLBind(day.description)).run()
        guard let workday else { return }
        try await db.sql.insert(into: "calendar_days").columns("day", "kind", "name")
            .values(SQLBind(day.description), SQLBind(workday ? "workday" : "holiday"), SQLBind(name)).run()
    }

    /// Hours per ISO weekday (1 Monday … 7 Sunday).
    package static func weeklyHours(on db: any Database) async throws -> [Int: WorkingHours] {
        var weekly: [Int: WorkingHours] = [:]
        for row in try await db.sql.raw("SELECT weekday, hours FROM calendar_hours").all() {
            if let hours = WorkingHours(try row.decode(column: "hours", as: String.self)) {
                weekly[try row.decode(column: "weekday", as: Int.self)] = hours
            }
        }
        return weekly
    }

    package static func setWeeklyHours(_ weekly: [Int: WorkingHours], on db: any Database) async throws {
        try await db.sql.delete(from: "calendar_hours").run()
        for (weekday, hours) in weekly.sorted(by: { $0.key < $1.key }) {
            try await db.sql.insert(into: "calendar_hours").columns("weekday", "hours")
                .values(SQLBind(weekday), SQLBind(hours.description)).run()
        }
    }

    package static func load(timeZone: TimeZone, on db: any Database) async throws -> ClockSettings {
        let days = try await days(on: db)
        let calendar = BusinessCalendar(
            timeZone: timeZone, weekly: try await weeklyHours(on: db),
            holidays: Set(days.filter { !$0.workday }.map(\.day)), workdays: Set(days.filter(\.workday).map(\.day)))
        return ClockSettings(rules: try await policies(on: db).map(\.rule), calendar: calendar)
    }
}
