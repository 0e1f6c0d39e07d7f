import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// Proposals (解决方案): drafted within the proposer's authority or sent for approval, approved exactly once,
/// offered to the customer only when ready, and decided by the customer.
package struct ProposalService: Sendable {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    var complaints: ComplaintService { ComplaintService(services: services, db: db) }

    package func list(_ number: String, by actor: Actor) async throws -> [ProposalRow] {
        let complaint = try await complaints.visible(number, to: actor, for: .viewComplaints)
        return try await ProposalStore.list(complaintID: try complaint.requireID(), on: db)
    }

    /// Who approves money for a blacklisted customer.
    static let blacklistApprovers: Set<Role> = [.claims, .admin]

    /// Drafts a proposal. Above the proposer's limit it waits for approval, and those who may approve are told.
    package func propose(_ number: String, kind: ProposalKind, amountFen: Int64, description: String, by actor: Actor)
        async throws -> ProposalRow
    {
        try actor.require(.workComplaints)
        let complaint = try await complaints.visible(number, to: actor, for: .workComplaints)
        try ProposalRules.validate(kind: kind, amountFen: amountFen, description: description)
        guard complaint.status != ComplaintStatus.closed.rawValue else {
            throw KesuError.conflict("Complaint \(complaint.number) is closed; reopen it to propose anything.")
        }
        if kind == .coupon {
            let versions = try await CompensationStore.versions(on: db).map(\.rules)
            if let rules = CompensationRules.inForce(at: complaint.receivedAt, among: versions),
               amountFen > rules.couponCapFen {
                throw KesuError.refused("A goodwill coupon is at most \(CompensationEngine.yuan(rules.couponCapFen)).",
                                        fields: ["amountFen": ["above the coupon cap"]])
            }
        }
        let id = try complaint.requireID()
        let limits = try await ProposalStore.authorityLimits(on: db)
        let now = services.now()
        // A blacklisted customer's money waits for claims (理赔) whatever the proposer's limit.
        let listed = amountFen > 0 ? try await CustomerReviewStore.isListed(complaint.$customer.id, at: now, on: db) : false
        let state = listed ? .pendingApproval : ProposalRules.initialState(amountFen: amountFen, proposer: actor.role, limits: limits)
        let proposal = ProposalRow(id: services.ids.next(), complaintID: id, kind: kind, amountFen: amountFen,
                                   description: description.trimmed, state: state, proposedBy: actor.userID,
                                   proposedByName: actor.displayName, proposedAt: now)
        var notes: [NotificationRow] = []
        if state == .pendingApproval {
            let people = try await NotificationStore.escalatees(roles: listed ? [.claims, .admin] : [.supervisor, .quality], on: db)
            let approvers = people.filter {
                complaint.scopePath.hasPrefix($0.unitPath.rawValue) && limits.covers($0.role, amountFen: amountFen)
                    && $0.id != actor.userID && (!listed || Self.blacklistApprovers.contains($0.role))
            }
            notes = approvers.map {
                NotificationRow(id: services.ids.next(), userID: $0.id, complaintID: id, kind: "approval_needed",
                                params: ["number": complaint.number, "proposal": kind.rawValue, "amountFen": String(amountFen)],
                                createdAt: now)
            }
        }
        let event = complaints.event(
            id, actor, "proposal_made", visible: false,
            note: "\(Language.zh.name(of: kind)) \(CompensationEngine.yuan(amountFen))：\(proposal.description)",
            after: ["proposal": proposal.id.uuidString, "state": state.rawValue, "amountFen": String(amountFen),
                    "proposalKind": kind.rawValue, "text": proposal.description], at: now)
        let rows = notes
        try await services.writer.write(on: db) { tx in
            try await ProposalStore.insert(proposal, on: tx)
            try await ComplaintStore.append([event], on: tx)
            try await Outbox.notify(rows, services: services, on: tx)
        }
        return proposal
    }

    private func proposal(_ number: String, _ proposalID: UUID, by actor: Actor,
                          for permission: Permission = .workComplaints) async throws -> (ComplaintModel, ProposalRow)
    {
        let complaint = try await complaints.visible(number, to: actor, for: permission)
        guard let proposal = try await ProposalStore.find(proposalID, on: db),
              proposal.complaintID == complaint.id
        else { throw KesuError.notFound("No proposal \(proposalID) on complaint \(complaint.number).") }
        return (complaint, proposal)
    }

    /// Approves a proposal waiting for approval. Of several approvers pressing at once exactly one succeeds and one
    /// approval event is written; the others get 409.
    package func approve(_ number: String, _ proposalID: UUID, by actor: Actor) async throws -> ProposalRow {
        try actor.require(.workComplaints)
        let (complaint, proposal) = try await proposal(number, proposalID, by: actor)
        let limits = try await ProposalStore.authorityLimits(on: db)
        if proposal.amountFen > 0, !Self.blacklistApprovers.contains(actor.role),
           try await CustomerReviewStore.isListed(complaint.$customer.id, at: services.now(), on: db) {
            throw KesuError.forbidden("This customer is on the blacklist: claims approves their compensation.")
        }
        try ProposalRules.checkApproval(state: proposal.state, amountFen: proposal.amountFen,
                                        proposerID: proposal.proposedBy, approverID: actor.userID, approver: actor.role,
                                        limits: limits)
        let now = services.now()
        let id = try complaint.requireID()
        let event = complaints.event(
            id, actor, "proposal_approved", visible: false,
            note: "批准 \(Language.zh.name(of: proposal.kind)) \(CompensationEngine.yuan(proposal.amountFen))（提出人 \(proposal.proposedByName)）",
            after: ["proposal": proposal.id.uuidString, "state": ProposalState.ready.rawValue,
                    "proposalKind": proposal.kind.rawValue, "amountFen": String(proposal.amountFen),
                    "proposer": proposal.proposedByName], at: now)
        let approved = try await services.writer.write(on: db) { tx -> Bool in
            guard try await ProposalStore.approve(proposal.id, by: actor.userID, name: actor.displayName, at: now, on: tx)
            else { return false }
            try await ComplaintStore.append([event], on: tx)
            return true
        }
        guard approved else { throw KesuError.conflict("The proposal was approved by someone else a moment ago.") }
        return try await ProposalStore.find(proposal.id, on: db) ?? proposal
    }

    /// Offers a ready proposal to the customer (they see it on the timeline and the portal). A complaint in
    /// `proposing` moves on to `awaiting_customer`.
    package func offer(_ number: String, _ proposalID: UUID, by actor: Actor) async throws -> ProposalRow {
        try actor.require(.workComplaints)
        let (complaint, proposal) = try await proposal(number, proposalID, by: actor)
        try ProposalRules.checkOffer(state: proposal.state)
        let now = services.now()
        let id = try complaint.requireID()
        let event = complaints.event(
            id, actor, "proposal_offered", visible: true,
            note: "处理方案：\(Language.zh.name(of: proposal.kind))"
                + (proposal.amountFen > 0 ? " \(CompensationEngine.yuan(proposal.amountFen))" : "")
                + "。\(proposal.description)",
            after: ["proposal": proposal.id.uuidString, "proposalKind": proposal.kind.rawValue,
                    "amountFen": proposal.amountFen > 0 ? String(proposal.amountFen) : "", "text": proposal.description],
            at: now)
        let settings = try await services.clockSettings(on: db)
        let complaints = self.complaints
        let offered = try await services.writer.write(on: db) { tx -> Bool in
            guard try await ProposalStore.move(proposal.id, from: .ready, to: .offered, offeredAt: now, on: tx)
            else { return false }
            // The customer is asked to decide, with a link to where they answer.
            let notice = try await CustomerNotices.queue(.proposal, values: [:], link: true, key: proposal.id.uuidString,
                                                         complaint: complaint, customer: complaint.customer,
                                                         services: services, on: tx)
            try await ComplaintStore.append([event] + notice, on: tx)
            try await complaints.move(id, TransitionRequest(to: .awaitingCustomer), settings: settings,
                                      onlyFrom: .proposing, by: actor, on: tx)
            return true
        }
        guard offered else { throw KesuError.conflict("The proposal changed a moment ago; reload it.") }
        return try await ProposalStore.find(proposal.id, on: db) ?? proposal
    }

    /// Records the customer's answer to an offered proposal: taken on the phone by `actor`, or given by the customer
    /// on their private page (a customer principal, the link having proved who they are). Accepting moves the
    /// complaint to executing; rejecting sends it back to proposing for the next option.
    package func decide(_ number: String, _ proposalID: UUID, accepted: Bool, reason: String?, by actor: Actor)
        async throws -> ProposalRow
    {
        let byCustomer = actor.principal.isCustomer
        let (complaint, proposal) = try await self.proposal(number, proposalID, by: actor,
                                                            for: byCustomer ? .actAsCustomer : .workComplaints)
        guard proposal.state == .offered else {
            throw KesuError.conflict("The proposal is \(proposal.state.rawValue); only an offered one can be decided.")
        }
        let why = reason.map(\.trimmed).flatMap { $0.isEmpty ? nil : String($0.prefix(500)) }
        if !accepted, why == nil {
            throw KesuError.refused("Say why the proposal was rejected.", fields: ["reason": ["required when rejecting"]])
        }
        let now = services.now()
        let id = try complaint.requireID()
        let event = complaints.event(
            id, actor, accepted ? "proposal_accepted" : "proposal_rejected", visible: true,
            note: (accepted ? "客户接受方案：" : "客户拒绝方案：") + Language.zh.name(of: proposal.kind)
                + (byCustomer ? "（客户在线确认）" : "（电话确认，\(actor.displayName)记录）")
                + (why.map { " 理由：\($0)" } ?? ""),
            after: ["proposal": proposal.id.uuidString, "proposalKind": proposal.kind.rawValue,
                    "via": byCustomer ? "portal" : "phone", "recorder": byCustomer ? "" : actor.displayName,
                    "reason": why ?? ""], at: now)
        // An accepted proposal becomes its steps, and the customer is told the reason, the steps, when they will
        // hear back and who handles it (seed 001).
        var tasks: [TaskRow] = []
        var events = [event]
        if accepted {
            let owner = complaint.assignee
            let ownerName = owner?.displayName ?? proposal.proposedByName
            tasks = TaskKind.steps(for: proposal.kind).map { step in
                TaskRow(id: services.ids.next(), complaintID: id, proposalID: proposal.id, kind: step,
                        title: "\(Language.zh.name(of: step))：\(proposal.description)", ownerID: owner?.id ?? proposal.proposedBy,
                        ownerName: ownerName, dueAt: now.addingTimeInterval(step.defaultSpan), createdAt: now)
            }
            let latest = tasks.map(\.dueAt).max() ?? now
            let steps = tasks.enumerated().map { "\($0.offset + 1). \($0.element.title)" }.joined(separator: "；")
            let reason = complaint.responsibilityReason.map { "原因：\($0)。" } ?? ""
            events.append(complaints.event(
                id, actor, "execution_planned", visible: true,
                note: "\(reason)办理步骤：\(steps)。我们将在 \(ClockScheduler.stamp(latest, services.config.timeZone)) 前办妥并联系您。办理人：\(ownerName)。",
                after: ["reason": complaint.responsibilityReason ?? "", "steps": tasks.map(\.kind.rawValue).joined(separator: ","),
                        "text": proposal.description, "dueAt": String(latest.millis), "handler": ownerName],
                at: now))
        }
        let planned = tasks
        let written = events
        // Each step runs on its own clock (its id is the task's), so a late step warns like any deadline.
        let stepClocks = tasks.map { task in
            StoredClock(id: task.id, complaintID: id,
                        clock: .fixed(.task, madeAt: now, due: task.dueAt, warnFraction: 0.8),
                        warnActions: [.notify], breachActions: [.notify], policyID: nil, note: task.title)
        }
        let settings = try await services.clockSettings(on: db)
        let complaints = self.complaints
        let decided = try await services.writer.write(on: db) { tx -> Bool in
            guard try await ProposalStore.move(proposal.id, from: .offered, to: accepted ? .accepted : .rejected,
                                               decidedAt: now, reason: why, on: tx)
            else { return false }
            try await ComplaintStore.append(written, on: tx)
            try await TaskStore.insert(planned, on: tx)
            if !stepClocks.isEmpty {
                let clocks = try await ClockStore.clocks(of: id, forUpdate: true, on: tx) + stepClocks
                try await ClockStore.insert(stepClocks, on: tx)
                try await ClockStore.setDue(complaintID: id, nearest: ClockBook.nearest(clocks), on: tx)
            }
            // The complaint follows the decision when it was waiting for it.
            try await complaints.move(id, TransitionRequest(to: accepted ? .executing : .proposing), settings: settings,
                                      onlyFrom: .awaitingCustomer, by: actor, on: tx)
            return true
        }
        guard decided else { throw KesuError.conflict("The proposal was decided a moment ago.") }
        return try await ProposalStore.find(proposal.id, on: db) ?? proposal
    }

    // MARK: Execution

    package func tasks(_ number: String, by actor: Actor) async throws -> [TaskRow] {
        let complaint = try await complaints.visible(number, to: actor, for: .viewComplaints)
        return try await TaskStore.list(complaintID: try complaint.requireID(), on: db)
    }

    /// Marks an execution step done. When the last one is done the customer is told, and a complaint in executing
    /// moves on to follow_up (回访).
    package func completeTask(_ number: String, _ taskID: UUID, note: String?, by actor: Actor) async throws
        -> [TaskRow]
    {
        try actor.require(.workComplaints)
        let complaint = try await complaints.visible(number, to: actor, for: .workComplaints)
        let id = try complaint.requireID()
        let text = try note.flatMap { try ComplaintService.checkNote($0, required: false) }
        let all = try await TaskStore.list(complaintID: id, on: db)
        guard let task = all.first(where: { $0.id == taskID }) else {
            throw KesuError.notFound("No task \(taskID) on complaint \(complaint.number).")
        }
        let now = services.now()
        let doneEvent = complaints.event(id, actor, "task_done", visible: false,
                                         note: task.title + (text.map { "：\($0)" } ?? ""),
                                         after: ["task": task.id.uuidString], at: now)
        let finishedEvent = complaints.event(id, actor, "execution_done", visible: true,
                                             note: "处理方案已办理完毕：" + all.map(\.title).joined(separator: "；"), at: now)
        let settings = try await services.clockSettings(on: db)
        let complaints = self.complaints
        try await services.writer.write(on: db) { tx in
            guard try await TaskStore.complete(taskID, complaintID: id, by: actor.displayName, note: text, at: now, on: tx)
            else { throw KesuError.conflict("The task is done already.") }
            var clocks = try await ClockStore.clocks(of: id, forUpdate: true, on: tx)
            if let i = ClockBook.meet(&clocks, id: taskID, at: now) {
                try await ClockStore.update(clocks[i], on: tx)
                try await ClockStore.setDue(complaintID: id, nearest: ClockBook.nearest(clocks), on: tx)
            }
            let open = try await TaskStore.openCount(complaintID: id, on: tx)
            // 处理结果告知 (seed 001): what was done, by whom, when.
            let told = open == 0 ? try await CustomerNotices.queue(
                .execution, values: ["text": all.map(\.title).joined(separator: "；") + "（\(actor.displayName)）"],
                key: finishedEvent.id?.uuidString ?? "\(id)", complaint: complaint, customer: complaint.customer,
                services: services, on: tx) : []
            try await ComplaintStore.append(open == 0 ? [doneEvent, finishedEvent] + told : [doneEvent], on: tx)
            if open == 0 {
                try await complaints.move(id, TransitionRequest(to: .followUp), settings: settings, onlyFrom: .executing,
                                          by: actor, on: tx)
            }
        }
        return try await TaskStore.list(complaintID: id, on: db)
    }
}
