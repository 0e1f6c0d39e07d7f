import Fluent
import Foundation
import KesuCore
import KesuStore

/// What a problem parcel's lapse clock does when it fires, as a job of the work queue (`clock.problem_parcel`), in the
/// transaction that marks the job done — so each reminder and each lapse is recorded and told exactly once: the warning
/// (two thirds of the way) reminds the outlet; the lapse marks the parcel and alerts the outlet and customer service.
struct ProblemParcelClockHandler: JobHandler {
    func perform(_ job: JobRow, services: KesuServices, on tx: any Database) async throws {
        guard let fired = try? JSONDecoder.jobs.decode(SubjectClockFired.self, from: Data(job.payload.utf8)) else {
            throw JobFailure.permanent("the clock payload cannot be read")
        }
        try await RowLock.problemParcel(fired.subjectID, on: tx)
        guard var parcel = try await ProblemParcelStore.find(fired.subjectID, on: tx) else {
            throw JobFailure.permanent("no problem parcel \(fired.subjectID)")
        }
        guard parcel.settledAt == nil else { return }
        let lapsed = fired.event == "breach"
        let now = services.now()
        if lapsed {
            parcel.lapsedAt = now
            try await ProblemParcelStore.update(parcel, on: tx)
        }
        try await ProblemParcelStore.insert([ProblemParcelEntry(
            id: services.ids.next(), parcelID: parcel.id, at: now, byID: nil, byName: "Kesu",
            kind: lapsed ? "lapsed" : "warning")], on: tx)
        let people = try await NotificationStore.escalatees(roles: [.outlet, .agent, .supervisor], on: tx)
        let outletPath = try await OrgUnitModel.find(parcel.outletID, on: tx)?.path ?? parcel.ownerPath
        let recipients = ProblemParcelAlert.recipients(owner: UnitPath(rawValue: parcel.ownerPath),
                                                       outlet: UnitPath(rawValue: outletPath), lapsed: lapsed, among: people)
        let params = ["parcel": parcel.id.uuidString, "waybill": parcel.waybill, "outlet": parcel.outletName,
                      "reason": parcel.reasonCode, "due": String(parcel.lapseAt.millis)]
        // Already in the work queue's transaction: the inboxes fill here, once.
        try await NotificationStore.insert(recipients.map {
            NotificationRow(id: services.ids.next(), userID: $0, complaintID: nil,
                            kind: lapsed ? "problem_parcel_lapsed" : "problem_parcel_warning", params: params, createdAt: now)
        }, on: tx)
    }
}
