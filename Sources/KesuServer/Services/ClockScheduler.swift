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
                let name = clock.kind.chineseName
                let text = breach
                    ? "\(current.number) \(name)已超时（时限 \(Self.stamp(clock.dueAt, services.config.timeZone))）"
                    : "\(current.number) \(name)即将超时（时限 \(Self.stamp(clock.dueAt, services.config.timeZone))）"
                events.append(systemEvent(current.id, breach ? "clock_breached" : "clock_warning", note: text,
                                          after: ["clock": clock.kind.rawValue], at: now))
                let actions = breach ? stored.breachActions : stored.warnActions
                // One step up per complaint per batch, however many of its clocks breach together.
                if actions.contains(.escalate), levels[current.id] == nil {
                    let level = ClockRules.escalated(from: current.escalationLevel)
                    if level > current.escalationLevel {
                        events.append(systemEvent(current.id, "escalated", note: "\(name)超时，升级至\(Self.levelName(level))",
                                                  before: ["escalationLevel": String(current.escalationLevel)],
                                                  after: ["escalationLevel": String(level)], at: now))
                        current.escalationLevel = level
                        levels[current.id] = level
                        tally.escalations += 1
                    }
                }
                let chain = Self.supervisors(for: current.scopePath, level: current.escalationLevel, among: people)
                if actions.contains(.reassign), let boss = chain.first, boss.id != current.assigneeID {
                    events.append(systemEvent(current.id, "assigned", note: "\(name)\(breach ? "超时" : "预警")，转交主管",
                                              after: ["assignee": boss.username], at: now))
                    current.assigneeID = boss.id
                    assignees[current.id] = boss.id
                    tally.reassignments += 1
                }
                if actions.contains(.notify) {
                    var recipients = chain.map(\.id)
                    if let assignee = current.assigneeID, !recipients.contains(assignee) { recipients.insert(assignee, at: 0) }
                    for user in recipients {
                        notes.append(NotificationRow(id: services.ids.next(), userID: user, complaintID: current.id,
                                                     kind: breach ? "clock_breached" : "clock_warning",
                                                     params: ["number": current.number, "clock": clock.kind.rawValue,
                                                              "due": String(clock.dueAt.millis)],
                                                     createdAt: now))
                    }
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

    /// Who answers for a complaint at an escalation level: the supervisors of the deepest unit above the complaint
    /// that the level allows — at level 0 the nearest one (the outlet's, else the region's, else HQ's), at level 1
    /// no deeper than a region, at level 2 and beyond HQ.
    static func supervisors(for scopePath: String, level: Int, among people: [Escalatee]) -> [Escalatee] {
        let maxDepth = level >= 2 ? 1 : level == 1 ? 2 : Int.max
        let covering = people.filter { scopePath.hasPrefix($0.unitPath.rawValue) && $0.unitPath.depth <= maxDepth }
        guard let deepest = covering.map(\.unitPath.depth).max() else { return [] }
        // Supervisors before quality staff: a reassignment goes to the first.
        return covering.filter { $0.unitPath.depth == deepest }.sorted { ($0.role == .supervisor ? 0 : 1, $0.username)
            < ($1.role == .supervisor ? 0 : 1, $1.username) }
    }

    static func levelName(_ level: Int) -> String {
        switch level {
        case 0: "网点"
        case 1: "区域"
        case 2: "总部"
        default: "邮政管理局"
        }
    }

    static func stamp(_ date: Date, _ zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.month, .day, .hour, .minute], from: date)
        return String(format: "%02d-%02d %02d:%02d", c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }
}
