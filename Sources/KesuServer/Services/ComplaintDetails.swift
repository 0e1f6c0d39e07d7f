import Fluent
import Foundation
import KesuCore
import KesuStore

/// 投诉详情 — one complaint with everything shown about it, read with its parts loaded side by side. The API's
/// `GET /complaints/{number}` reads the core parts; the complaint page reads them all.
package struct ComplaintDetails: Sendable {
    package enum Parts: Sendable { case core, page }

    package let complaint: ComplaintModel
    package let timeline: [ComplaintEventModel]
    package let shipments: [ShipmentModel]
    package let clocks: [StoredClock]
    package let finding: ComplaintService.Finding?
    // What only the page shows (empty for `.core`).
    package let attachments: [AttachmentInfo]
    package let tasks: [TaskRow]
    package let proposals: [ProposalRow]
    package let followUps: [FollowUpRow]
    package let inquiries: [InquiryRow]
    package let rectifications: [RectificationRow]
    package let typical: (lesson: String, by: String)?

    /// The complaint the actor asked for, if they may read it (403/404 otherwise), with its parts.
    package static func load(_ number: String, for actor: Actor, parts: Parts, services: KesuServices,
                             db: any Database) async throws -> ComplaintDetails
    {
        let complaints = ComplaintService(services: services, db: db)
        let complaint = try await complaints.visible(number, to: actor, for: .viewComplaints)
        let id = try complaint.requireID()
        let page = parts == .page
        let status = ComplaintStatus(rawValue: complaint.status) ?? .received
        let everClosed = status == .closed || status == .reopened
        async let timeline = ComplaintStore.timeline(of: id, on: db)
        async let shipments = ShipmentService.load(waybills: complaint.waybillList, on: db)
        async let clocks = ClockStore.clocks(of: id, on: db)
        async let finding = complaints.finding(of: complaint)
        async let attachments = when(page) { try await AttachmentModel.list(complaintID: id, on: db) }
        async let tasks = when(page) { try await TaskStore.list(complaintID: id, on: db) }
        async let proposals = when(page) { try await ProposalStore.list(complaintID: id, on: db) }
        async let followUps = when(page && status == .followUp) { try await FollowUpStore.list(complaintID: id, on: db) }
        async let inquiries = when(page) { try await InquiryStore.list(complaintID: id, on: db) }
        async let rectifications = when(page && everClosed) { try await RectificationStore.list(complaintID: id, on: db) }
        async let typical = page && status == .closed ? TypicalCaseStore.find(complaintID: id, on: db) : nil
        return ComplaintDetails(
            complaint: complaint, timeline: try await timeline, shipments: try await shipments, clocks: try await clocks,
            finding: try await finding, attachments: try await attachments, tasks: try await tasks,
            proposals: try await proposals, followUps: try await followUps, inquiries: try await inquiries,
            rectifications: try await rectifications, typical: try await typical)
    }

    private static func when<T: Sendable>(_ wanted: Bool, _ load: @Sendable () async throws -> [T]) async throws -> [T] {
        wanted ? try await load() : []
    }
}
