import Foundation
import KesuCore
import KesuStore

/// Clocks on subjects that belong to no complaint (a problem parcel's 3 days, an appeal window…) fire exactly like a
/// complaint's — claimed in the same transaction, recorded once — and each warning or breach becomes a job
/// `clock.<subject kind>` in the work queue, which the subject's feature handles.
extension ClockScheduler {
    package static func jobKind(for subject: ClockSubject) -> String { "clock.\(subject.kind)" }

    /// What firing these clocks does: which warned, which breached, which only needed their next time stored, and
    /// the jobs to queue.
    func subjectFirings(_ clocks: [StoredClock], at now: Date) throws
        -> (warned: [UUID], breached: [UUID], repaired: [StoredClock], jobs: [JobRow], tally: Tally)
    {
        var warned: [UUID] = [], breached: [UUID] = [], repaired: [StoredClock] = [], jobs: [JobRow] = []
        var tally = Tally()
        for stored in clocks {
            guard let (clock, fired) = Self.fire(stored, at: now, repairing: &repaired) else { continue }
            if fired.contains(.breach) { breached.append(stored.id) } else { warned.append(stored.id) }
            for event in fired {
                let name = event == .breach ? "breach" : "warning"
                if event == .breach { tally.breaches += 1 } else { tally.warnings += 1 }
                let payload = SubjectClockFired(clock: stored.id, subjectKind: stored.subject.kind, subjectID: stored.subject.id,
                                                clockKind: clock.kind.rawValue, event: name, dueAt: clock.dueAt,
                                                note: stored.note)
                jobs.append(JobRow(id: services.ids.next(), kind: Self.jobKind(for: stored.subject),
                                   idempotencyKey: "clock:\(stored.id):\(name)",
                                   payload: String(decoding: try JSONEncoder.jobs.encode(payload), as: UTF8.self),
                                   runAt: now, createdAt: now))
            }
        }
        return (warned, breached, repaired, jobs, tally)
    }
}

/// The payload of a `clock.<subject kind>` job.
package struct SubjectClockFired: Codable, Sendable, Equatable {
    package var clock: UUID
    package var subjectKind: String
    package var subjectID: UUID
    package var clockKind: String
    /// `warning` or `breach`.
    package var event: String
    package var dueAt: Date
    package var note: String?
}
