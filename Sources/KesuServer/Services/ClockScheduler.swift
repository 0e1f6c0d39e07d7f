import Fluent
import Foundation
import KesuCore
import KesuStore
import Logging
import NIOConcurrencyHelpers
import Vapor

/// Fires clock warnings and breaches exactly once.
///
/// Each batch is one transaction: it claims the due clocks (on PostgreSQL with `FOR UPDATE … SKIP LOCKED`, so
/// several Kesu instances share the work and never take the same clock), fires them, and writes the clocks, the
/// timeline events, the notifications and the escalations together. An instance that dies mid-batch has its
/// transaction rolled back and its clocks become due again for the others; a restarted instance finds whatever
/// fell due while it was down. The only query reads the partial index on `next_fire_at`, so a tick costs what is
/// due, not the size of the database.
package struct ClockScheduler: Sendable {
    let services: KesuServices
    let db: any Database
    let logger: Logger

    package init(services: KesuServices, db: any Database, logger: Logger) {
        self.services = services
        self.db = db
        self.logger = logger
    }

    /// What a tick did.
    package struct Tally: Sendable, Equatable {
        package init() {}
        package var warnings = 0
        package var breaches = 0
        package var escalations = 0
        package var reassignments = 0
        package var notifications = 0
        package var batches = 0
    }

    /// Fires everything due now, batch after batch, until nothing is left.
    @discardableResult
    package func tick() async throws -> Tally {
        var tally = Tally()
        let now = services.now()
        let people = try await NotificationStore.escalatees(on: db)
        while true {
            let batch = try await services.writer.write(on: db) { tx in
                try await self.fireBatch(at: now, people: people, on: tx)
            }
            guard let batch else { break }
            tally.warnings += batch.warnings
            tally.breaches += batch.breaches
            tally.escalations += batch.escalations
            tally.reassignments += batch.reassignments
            tally.notifications += batch.notifications
            tally.batches += 1
        }
        if tally.batches > 0 {
            logger.info("clocks fired", metadata: [
                "warnings": "\(tally.warnings)", "breaches": "\(tally.breaches)",
                "escalations": "\(tally.escalations)", "batches": "\(tally.batches)",
            ])
        }
        return tally
    }

    /// One transaction's worth; nil when nothing was due.
    private func fireBatch(at now: Date, people: [Escalatee], on tx: any Database) async throws -> Tally? {
        let due = try await ClockStore.due(at: now, limit: services.config.schedulerBatch, on: tx)
        let elsewhere = try await ClockStore.dueElsewhere(at: now, limit: services.config.schedulerBatch, on: tx)
        guard !due.isEmpty || !elsewhere.isEmpty else { return nil }
        let others = try subjectFirings(elsewhere, at: now)
        var tally = others.tally
        var warned = others.warned
        var breached = others.breached
        var repaired = others.repaired
        var events: [ComplaintEventModel] = []
        var notes: [NotificationRow] = []
        // Per complaint, what changes on it (a complaint may have several clocks due in one batch).
        var complaints: [UUID: ClockStore.DueComplaint] = [:]
        var levels: [UUID: Int] = [:]
        var assignees: [UUID: UUID] = [:]

        for (stored, owner) in due {
            let complaint = complaints[owner.id] ?? owner
            guard let (clock, fired) = Self.fire(stored, at: now, repairing: &repaired) else { continue }
            if fired.contains(.breach) { breached.append(stored.id) } else { warned.append(stored.id) }
            var current = complaint
            for event in fired {
                let breach = event == .breach
                if breach { tally.breaches += 1 } else { tally.warnings += 1 }
                let name = Language.zh.name(of: clock.kind)
                let due = Self.stamp(clock.dueAt, services.config.timeZone)
                let fields = ["clock": clock.kind.rawValue, "dueAt": String(clock.dueAt.millis)]
                events.append(systemEvent(current.id, breach ? "clock_breached" : "clock_warning",
                                          note: "\(current.number) \(name)\(breach ? "已超时" : "即将超时")（时限 \(due)）",
                                          after: fields, at: now))
                let outcome = Escalation.outcome(
                    of: breach ? stored.breachActions : stored.warnActions, level: current.escalationLevel,
                    raisedThisBatch: levels[current.id] != nil, assignee: current.assigneeID,
                    scope: UnitPath(rawValue: current.scopePath), people: people)
                if let level = outcome.raisedTo {
                    events.append(systemEvent(current.id, "escalated", note: "\(name)超时，升级至\(Language.zh.text("level." + Escalation.levelKey(level)))",
                                              before: ["escalationLevel": String(current.escalationLevel)],
                                              after: ["escalationLevel": String(level), "clock": clock.kind.rawValue],
                                              at: now))
                    current.escalationLevel = level
                    levels[current.id] = level
                    tally.escalations += 1
                }
                if let boss = outcome.reassignedTo {
                    events.append(systemEvent(current.id, "assigned", note: "\(name)\(breach ? "超时" : "预警")，转交主管",
                                              after: ["assignee": boss.username, "clock": clock.kind.rawValue,
                                                      "reason": breach ? "breach" : "warning"], at: now))
                    current.assigneeID = boss.id
                    assignees[current.id] = boss.id
                    tally.reassignments += 1
                }
                for user in outcome.notified {
                    notes.append(NotificationRow(id: services.ids.next(), userID: user, complaintID: current.id,
                                                 kind: breach ? "clock_breached" : "clock_warning",
                                                 params: ["number": current.number, "clock": clock.kind.rawValue,
                                                          "due": String(clock.dueAt.millis)],
                                                 createdAt: now))
                }
            }
            complaints[current.id] = current
        }
        tally.notifications = notes.count

        try await ClockStore.recordFired(warned: warned, breached: breached, at: now, on: tx)
        for clock in repaired { try await ClockStore.update(clock, on: tx) }
        try await ComplaintStore.append(events, on: tx)
        try await Outbox.notify(notes, services: services, on: tx)
        try await JobStore.enqueue(others.jobs, on: tx)
        for level in Set(levels.values) {
            let ids = levels.filter { $0.value == level }.map(\.key)
            try await ComplaintModel.query(on: tx).filter(\.$id ~~ ids).set(\.$escalationLevel, to: level).update()
        }
        for user in Set(assignees.values) {
            let ids = assignees.filter { $0.value == user }.map(\.key)
            try await ComplaintModel.query(on: tx).filter(\.$id ~~ ids).set(\.$assignee.$id, to: user).update()
        }
        let touched = Array(Set(levels.keys).union(assignees.keys))
        if !touched.isEmpty {
            try await ComplaintModel.query(on: tx).filter(\.$id ~~ touched).set(\.$updatedAt, to: now).update()
        }
        return tally
    }

    /// Fires the clock: its events and the clock after them, or nil when it had nothing to fire (a row out of step
    /// with its clock), which then goes to `repaired` to store when it is really next due, so no tick claims it again.
    static func fire(_ stored: StoredClock, at now: Date, repairing repaired: inout [StoredClock])
        -> (ComplaintClock, [ClockEvent])?
    {
        var clock = stored.clock
        let fired = clock.fire(at: now)
        guard fired.isEmpty else { return (clock, fired) }
        var fixed = stored
        fixed.clock = clock
        repaired.append(fixed)
        return nil
    }

    private func systemEvent(_ id: UUID, _ kind: String, note: String, before: [String: String]? = nil,
                             after: [String: String]? = nil, at now: Date) -> ComplaintEventModel {
        ComplaintEventModel(id: services.ids.next(), complaintID: id, at: now, actorID: nil, actorName: "时限提醒",
                            kind: kind, customerVisible: false, note: note, before: before, after: after)
    }

    static func stamp(_ date: Date, _ zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.month, .day, .hour, .minute], from: date)
        return String(format: "%02d-%02d %02d:%02d", c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }
}
