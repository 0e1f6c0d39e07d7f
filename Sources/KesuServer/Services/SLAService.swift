import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// Promises to customers, notifications, the SLA policy table, the business calendar and the SLA report.
package struct SLAService: Sendable {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    // MARK: Promises

    /// Records that the customer was promised contact by `due` (承诺): a promise clock, and a timeline entry the
    /// customer sees. The next customer-visible reply meets it.
    package func promise(_ number: String, due: Date, note: String?, by actor: Actor) async throws -> ComplaintModel {
        try actor.require(.workComplaints)
        let complaints = ComplaintService(services: services, db: db)
        let text = try note.flatMap { try ComplaintService.checkNote($0, required: false) }
        let complaint = try await complaints.visible(number, to: actor, for: .workComplaints)
        let now = services.now()
        let dueAt = due.roundedToMillis
        guard dueAt > now else {
            throw KesuError.refused("A promise must be for a time still to come.", fields: ["dueAt": ["in the past"]])
        }
        guard dueAt.timeIntervalSince(now) <= 90 * 86_400 else {
            throw KesuError.refused("A promise can be at most 90 days ahead.", fields: ["dueAt": ["too far ahead"]])
        }
        if complaint.status == ComplaintStatus.closed.rawValue {
            throw KesuError.conflict("Complaint \(complaint.number) is closed; reopen it before promising anything.")
        }
        let id = try complaint.requireID()
        let settings = try await services.clockSettings(on: db)
        let rule = settings.rule(for: complaint)
        let clock = StoredClock(
            id: services.ids.next(), complaintID: id,
            clock: .promise(madeAt: now, due: dueAt, warnFraction: rule.policy.warnFraction),
            warnActions: rule.policy.warnActions, breachActions: rule.policy.breachActions, policyID: rule.id,
            note: text)
        let stamp = ClockScheduler.stamp(dueAt, services.config.timeZone)
        let event = complaints.event(id, actor, "promise_made", visible: true,
                                     note: "我们承诺在 \(stamp) 前联系您" + (text.map { "：\($0)" } ?? ""),
                                     after: ["dueAt": String(dueAt.millis)].merging(text.map { ["text": $0] } ?? [:]) { $1 },
                                     at: now)
        try await services.writer.write(on: db) { tx in
            let clocks = try await ClockStore.clocks(of: id, forUpdate: true, on: tx) + [clock]
            try await ClockStore.insert([clock], on: tx)
            try await ClockStore.setDue(complaintID: id, nearest: ClockBook.nearest(clocks), on: tx)
            try await ComplaintStore.append([event], on: tx)
            try await ComplaintModel.query(on: tx).filter(\.$id == id).set(\.$updatedAt, to: now).update()
        }
        return try await complaints.load(id: id)
    }

    // MARK: Notifications

    package func notifications(for actor: Actor, unreadOnly: Bool, limit: Int) async throws
        -> (items: [NotificationRow], unread: Int)
    {
        guard (1...200).contains(limit) else {
            throw KesuError.invalid("limit must be from 1 to 200.", fields: ["limit": ["1 to 200"]])
        }
        async let items = NotificationStore.list(userID: actor.userID, unreadOnly: unreadOnly, limit: limit, on: db)
        async let unread = NotificationStore.unreadCount(userID: actor.userID, on: db)
        return (try await items, try await unread)
    }

    package func markRead(_ ids: [UUID]?, for actor: Actor) async throws -> Int {
        let now = services.now()
        let user = actor.userID
        try await services.writer.write(on: db) { tx in
            try await NotificationStore.markRead(userID: user, ids: ids, at: now, on: tx)
        }
        return try await NotificationStore.unreadCount(userID: user, on: db)
    }

    // MARK: Policies and calendar

    package func policies() async throws -> [PolicyRow] {
        try await ClockSettingsStore.policies(on: db)
    }

    /// Adds (id nil) or changes a policy. Running clocks keep the policy they started with.
    package func savePolicy(id: UUID?, _ rule: PolicyRule, by actor: Actor) async throws -> PolicyRow {
        try actor.require(.manageClocks)
        try rule.policy.validate()
        let now = services.now()
        let newID = services.ids.next()
        let saved = try await services.writer.write(on: db) { tx in
            try await ClockSettingsStore.save(id: id, rule: rule, now: now, newID: newID, on: tx)
        }
        services.clockSettings.invalidate()
        guard let row = try await policies().first(where: { $0.id == saved }) else {
            throw KesuError(.internalError, "policy \(saved) vanished")
        }
        return row
    }

    package func deletePolicy(_ id: UUID, by actor: Actor) async throws {
        try actor.require(.manageClocks)
        try await services.writer.write(on: db) { tx in try await ClockSettingsStore.deletePolicy(id, on: tx) }
        services.clockSettings.invalidate()
    }

    package func calendar() async throws -> (weekly: [Int: WorkingHours], days: [CalendarDayRow]) {
        (try await ClockSettingsStore.weeklyHours(on: db), try await ClockSettingsStore.days(on: db))
    }

    /// Sets working hours per weekday from `HH:mm-HH:mm` texts (an empty text: a day off).
    package func setHours(_ hours: [Int: String], by actor: Actor) async throws {
        try actor.require(.manageClocks)
        var problems = ValidationProblems()
        var weekly: [Int: WorkingHours] = [:]
        for (weekday, text) in hours {
            guard (1...7).contains(weekday) else {
                problems.add("weekday", "\(weekday) is not 1 (Monday) to 7 (Sunday)")
                continue
            }
            let trimmed = text.trimmed
            if trimmed.isEmpty { continue }
            guard let parsed = WorkingHours(trimmed) else {
                problems.refuse("hours", "\(trimmed.prefix(20)) is not HH:mm-HH:mm with opening before closing")
                continue
            }
            weekly[weekday] = parsed
        }
        if problems.isEmpty, weekly.isEmpty { problems.refuse("hours", "at least one weekday needs working hours") }
        try problems.throwIfAny("The working hours cannot be saved")
        let hours = weekly
        try await services.writer.write(on: db) { tx in try await ClockSettingsStore.setWeeklyHours(hours, on: tx) }
        services.clockSettings.invalidate()
    }

    /// Makes `day` a holiday, a make-up working day, or (`workday` nil) an ordinary day.
    package func setDay(_ text: String, workday: Bool?, name: String?, by actor: Actor) async throws {
        try actor.require(.manageClocks)
        guard let day = LocalDay(text.trimmed) else {
            throw KesuError.refused("The day must be written yyyy-MM-dd.", fields: ["day": ["malformed"]])
        }
        let label = (name ?? "").trimmed
        guard (name ?? "").length <= 40 else {
            throw KesuError.invalid("The name is at most 40 characters.", fields: ["name": ["too long"]])
        }
        let named = label.isEmpty ? (workday == true ? "调休上班" : "休息日") : label
        try await services.writer.write(on: db) { tx in
            try await ClockSettingsStore.setDay(day, workday: workday, name: named, on: tx)
        }
        services.clockSettings.invalidate()
    }

    // MARK: Report

    /// One line of the SLA report.
    package struct ReportLine: Sendable {
        package var group: String
        package var name: String
        package var figures: SlaFigures
    }

    /// Clocks started in [from, to) within what the actor sees: overall, or per outlet as well.
    package func report(from: Date, to: Date, perOutlet: Bool, by actor: Actor) async throws -> [ReportLine] {
        try actor.require(.viewReports)
        guard from < to, to.timeIntervalSince(from) <= 400 * 86_400 else {
            throw KesuError.refused("The period must run forwards and be at most 400 days.",
                                    fields: ["to": ["before from or too far"]])
        }
        let clocks = try await ClockStore.forReport(from: from, to: to, within: AccessPolicy.scope(of: actor.principal),
                                                    on: db)
        let now = services.clock.now()
        var lines = [ReportLine(group: "all", name: "全部 / All", figures: .of(clocks.map(\.clock), now: now))]
        guard perOutlet else { return lines }
        let groups = Dictionary(grouping: clocks) { $0.outletCode ?? "-" }
        for (code, members) in groups.sorted(by: { $0.key < $1.key }) {
            lines.append(ReportLine(group: code, name: members.first?.outletName ?? "未分派网点 / No outlet",
                                    figures: .of(members.map(\.clock), now: now)))
        }
        return lines
    }
}
