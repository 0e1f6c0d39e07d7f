import Fluent
import Foundation
import KesuCore
import KesuStore
import NIOConcurrencyHelpers
import Vapor

/// The SLA policies and calendar, read from the database at most every few seconds: every intake needs them,
/// they change rarely, and another instance's edit shows here within `lifetime`.
package final class ClockSettingsCache: Sendable {
    private let cached = NIOLockedValueBox<(settings: ClockSettings, readAt: Date)?>(nil)
    let lifetime: TimeInterval = 5

    package init() {}

    package func settings(on db: any Database, timeZone: TimeZone, now: Date) async throws -> ClockSettings {
        if let hit = cached.withLockedValue({ $0 }), now.timeIntervalSince(hit.readAt) < lifetime,
           now >= hit.readAt {
            return hit.settings
        }
        let fresh = try await ClockSettingsStore.load(timeZone: timeZone, on: db)
        cached.withLockedValue { $0 = (fresh, now) }
        return fresh
    }

    /// Forgets the cached settings after an edit on this instance.
    package func invalidate() { cached.withLockedValue { $0 = nil } }
}

/// What the clocks of a complaint do when it is recorded, moves, or is answered. Pure bookkeeping over
/// KesuCore's clocks; the callers store the result in their own transaction.
enum ClockBook {
    /// The clocks a new complaint starts with, under the policy its category, priority and channel choose.
    static func opening(complaintID: UUID, receivedAt: Date, channel: KesuCore.Channel, category: ComplaintCategory?,
                        priority: Priority, regulatorForwardedAt: Date?, regulatorDueAt: Date? = nil,
                        settings: ClockSettings, ids: () -> UUID) -> [StoredClock] {
        let rule = settings.rule(category: category, priority: priority, channel: channel)
        return ComplaintClock.opening(receivedAt: receivedAt, channel: channel, regulatorForwardedAt: regulatorForwardedAt,
                                      regulatorDueAt: regulatorDueAt, policy: rule.policy, calendar: settings.calendar).map {
            StoredClock(id: ids(), complaintID: complaintID, clock: $0, warnActions: rule.policy.warnActions,
                        breachActions: rule.policy.breachActions, policyID: rule.id)
        }
    }

    /// A fresh resolution clock for a reopened complaint, under the policy in force now.
    static func reopened(complaintID: UUID, at now: Date, rule: PolicyRule, calendar: BusinessCalendar, id: UUID)
        -> StoredClock
    {
        let p = rule.policy
        return StoredClock(
            id: id, complaintID: complaintID,
            clock: ComplaintClock(kind: .resolution, startedAt: now, target: p.resolution, businessTime: p.businessTime,
                                  warnFraction: p.warnFraction, pauseStatuses: p.pauseStatuses, calendar: calendar),
            warnActions: p.warnActions, breachActions: p.breachActions, policyID: rule.id)
    }

    /// Copies the nearest deadline onto the complaint row (saved by the caller).
    static func setDue(_ complaint: ComplaintModel, from clocks: [StoredClock]) {
        let nearest = nearest(clocks)
        complaint.dueAt = nearest?.dueAt
        complaint.dueWarnAt = nearest?.warnAt
        complaint.dueKind = nearest?.kind.rawValue
    }

    /// The nearest deadline among clocks not met and not paused (breached ones included: they are the reddest).
    static func nearest(_ clocks: [StoredClock]) -> ComplaintClock? {
        clocks.map(\.clock).filter { $0.metAt == nil && $0.pausedAt == nil }.min { $0.dueAt < $1.dueAt }
    }

    /// Applies a move from `from` to `to` at `now`: pauses, resumes, meets. Returns the indexes of changed clocks.
    static func move(_ clocks: inout [StoredClock], from: ComplaintStatus, to: ComplaintStatus, at now: Date,
                     calendar: BusinessCalendar) -> [Int] {
        var changed: [Int] = []
        let meets = ClockRules.met(byEntering: to)
        for i in clocks.indices {
            let before = clocks[i].clock
            if meets.contains(clocks[i].clock.kind) {
                clocks[i].clock.meet(at: now)
            } else if clocks[i].clock.pauseStatuses.contains(to) {
                clocks[i].clock.pause(at: now)
            } else if clocks[i].clock.pausedAt != nil {
                clocks[i].clock.resume(at: now, calendar: calendar)
            }
            if clocks[i].clock != before { changed.append(i) }
        }
        return changed
    }

    /// For clocks given a past history (demo data, imports): marks the warnings and breaches that fell before `now`
    /// as fired at their own times, as a running scheduler would have, so none fires again.
    static func settleHistory(_ clocks: inout [StoredClock], now: Date) {
        for i in clocks.indices {
            var c = clocks[i].clock
            let until = min(c.metAt ?? c.pausedAt ?? now, now)
            if c.warnedAt == nil, c.warnAt <= until { c.warnedAt = c.warnAt }
            if c.breachedAt == nil, c.dueAt <= until { c.breachedAt = c.dueAt }
            clocks[i].clock = c
        }
    }

    /// Holds the running first-reply and resolution clocks to `policy`'s targets. Returns the indexes changed.
    static func retime(_ clocks: inout [StoredClock], to policy: ClockPolicy, calendar: BusinessCalendar) -> [Int] {
        var changed: [Int] = []
        for i in clocks.indices {
            let before = clocks[i].clock
            switch before.kind {
            case .firstReply: clocks[i].clock.retime(target: policy.firstReply, calendar: calendar)
            case .resolution: clocks[i].clock.retime(target: policy.resolution, calendar: calendar)
            case .statutory, .regulator, .promise, .inquiry, .task, .followUp, .deadline: continue
            }
            if clocks[i].clock != before { changed.append(i) }
        }
        return changed
    }

    /// The follow-up visit's clock (回访): due a day from `now`.
    static func followUp(complaintID: UUID, at now: Date, id: UUID) -> StoredClock {
        StoredClock(id: id, complaintID: complaintID,
                    clock: .fixed(.followUp, madeAt: now, due: now.addingTimeInterval(FollowUpRules.gap), warnFraction: 0.8),
                    warnActions: [.notify], breachActions: [.notify], policyID: nil)
    }

    /// Meets the open clock with this id, if any. Returns its index when it changed.
    static func meet(_ clocks: inout [StoredClock], id: UUID, at now: Date) -> Int? {
        guard let i = clocks.firstIndex(where: { $0.id == id }), clocks[i].clock.metAt == nil else { return nil }
        clocks[i].clock.meet(at: now)
        return i
    }

    /// Meets the open clocks of `kinds`. Returns the indexes of changed clocks.
    static func meet(_ clocks: inout [StoredClock], kinds: Set<ClockKind>, at now: Date) -> [Int] {
        var changed: [Int] = []
        for i in clocks.indices where kinds.contains(clocks[i].clock.kind) && clocks[i].clock.metAt == nil {
            clocks[i].clock.meet(at: now)
            changed.append(i)
        }
        return changed
    }
}
