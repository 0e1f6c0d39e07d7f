import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// A request to move a complaint to another status.
package struct TransitionRequest: Sendable {
    package var to: ComplaintStatus
    package var note: String?
    package var resolutionSummary: String?
    package var responsibleParty: ResponsibleParty?
    package var rootCause: String?
    /// For a systemic root cause: the rectification to open; what is not given is filled in.
    package var rectification: RectificationPlan?

    package init(to: ComplaintStatus, note: String? = nil, resolutionSummary: String? = nil,
                 responsibleParty: ResponsibleParty? = nil, rootCause: String? = nil,
                 rectification: RectificationPlan? = nil) {
        self.to = to
        self.note = note
        self.resolutionSummary = resolutionSummary
        self.responsibleParty = responsibleParty
        self.rootCause = rootCause
        self.rectification = rectification
    }
}

/// The rectification (整改) a closing with a systemic root cause opens: the action, the owning unit's code and the
/// due time. Without them: "prevent it happening again", the responsible unit (else the outlet, else the closer's
/// unit), in 30 days.
package struct RectificationPlan: Sendable {
    package var action: String?
    package var unit: String?
    package var dueAt: Date?

    package init(action: String? = nil, unit: String? = nil, dueAt: Date? = nil) {
        self.action = action
        self.unit = unit
        self.dueAt = dueAt
    }
}

/// A change of who works a complaint and how it is classified; nil leaves a field as it is.
package struct ComplaintChange: Sendable {
    /// A username, or "" to unassign.
    package var assignee: String?
    /// An outlet's unit code, or "" to clear.
    package var outlet: String?
    package var category: ComplaintCategory?
    /// A sub-category code under the (new) category, or "" to clear. A category change without one clears it.
    package var subcategory: String?
    package var priority: Priority?

    package init(assignee: String? = nil, outlet: String? = nil, category: ComplaintCategory? = nil,
                 subcategory: String? = nil, priority: Priority? = nil) {
        self.assignee = assignee
        self.outlet = outlet
        self.category = category
        self.subcategory = subcategory
        self.priority = priority
    }
}

/// How long a note or reply may be.
package let noteLengthLimit = 1...5_000

extension ComplaintService {
    /// Moves a complaint along its lifecycle; an illegal move changes nothing.
    package func transition(_ number: String, _ request: TransitionRequest, by actor: Actor) async throws
        -> ComplaintModel
    {
        try actor.require(.workComplaints)
        let note = try request.note.flatMap { try Self.checkNote($0, required: false) }
        let complaint = try await visible(number, to: actor, for: .workComplaints)
        let id = try complaint.requireID()
        let settings = try await services.clockSettings(on: db)
        let closing = request.to == .closed ? try await closingPlan(complaint, request, by: actor) : nil
        try await services.writer.write(on: db) { tx in
            try await self.move(id, request, note: note, closing: closing, settings: settings, by: actor, on: tx)
        }
        return try await load(id: id)
    }

    /// A move inside the caller's transaction, so a step that moves the complaint (an offer, a decision, the last
    /// task, an unhappy follow-up) commits with it or not at all. With `onlyFrom`, a complaint found in another
    /// status is left where it is; otherwise an illegal move throws.
    func move(_ id: UUID, _ request: TransitionRequest, note: String? = nil,
              closing: (rootCause: String?, rectification: RectificationRow?)? = nil, settings: ClockSettings,
              onlyFrom: ComplaintStatus? = nil, by actor: Actor, on tx: any Database) async throws {
        // Hold and re-read inside the transaction so two concurrent moves cannot both pass the check.
        try await RowLock.complaint(id, on: tx)
        guard let current = try await ComplaintModel.find(id, on: tx),
              let from = ComplaintStatus(rawValue: current.status)
        else { throw KesuError.notFound("No complaint \(id).") }
        if let onlyFrom, from != onlyFrom { return }
        let heldFrom = current.heldFrom.flatMap(ComplaintStatus.init(rawValue:))
        try Lifecycle.check(from: from, to: request.to, heldFrom: heldFrom)
        let now = self.services.now()
        var before = ["status": from.rawValue]
        var after = ["status": request.to.rawValue]
        if request.to == .closed {
            let record = ClosureRecord(
                resolutionSummary: request.resolutionSummary ?? current.resolutionSummary,
                responsibleParty: request.responsibleParty
                    ?? current.responsibleParty.flatMap(ResponsibleParty.init(rawValue:)),
                rootCause: closing?.rootCause ?? current.rootCause)
            try record.requireComplete()
            current.resolutionSummary = record.resolutionSummary?.trimmed
            current.responsibleParty = record.responsibleParty?.rawValue
            current.rootCause = record.rootCause?.trimmed
            current.closedAt = now
            after["responsibleParty"] = current.responsibleParty
            after["rootCause"] = current.rootCause
        }
        if request.to == .reopened {
            before["closedAt"] = current.closedAt.map { String($0.millis) }
            current.closedAt = nil
            var flags = Set(current.flagList)
            flags.insert("repeat")
            current.flags = flags.sorted().joined(separator: ",")
        }
        current.heldFrom = request.to == .onHold ? from.rawValue : nil
        current.status = request.to.rawValue
        let claimed = try self.claim(current, by: actor, at: now)
        current.updatedAt = now
        // Clocks pause, resume and are met with the move; a reopened complaint runs a new resolution clock.
        var clocks = try await ClockStore.clocks(of: id, forUpdate: true, on: tx)
        var changed = ClockBook.move(&clocks, from: from, to: request.to, at: now, calendar: settings.calendar)
        var extra: [ComplaintEventModel] = []
        if request.to == .closed {
            // Questions still open are withdrawn; their clocks stop.
            let withdrawn = Set(try await InquiryStore.cancelOpen(complaintID: id, on: tx))
            for i in clocks.indices where withdrawn.contains(clocks[i].id) && clocks[i].clock.metAt == nil {
                clocks[i].clock.meet(at: now)
                changed.append(i)
            }
            if !withdrawn.isEmpty {
                extra.append(self.event(id, actor, "inquiry_withdrawn", visible: false,
                                        note: "结案，撤回 \(withdrawn.count) 项未答复的调查",
                                        after: ["count": String(withdrawn.count)], at: now))
            }
            if var action = closing?.rectification {
                let existing = try await RectificationStore.list(complaintID: id, on: tx)
                if !existing.contains(where: { $0.rootCause == action.rootCause && $0.state != "verified" }) {
                    action.createdAt = now
                    try await RectificationStore.insert(action, on: tx)
                    extra.append(self.event(id, actor, "rectification_opened", visible: false,
                                            note: "整改：\(action.action)（\(action.ownerUnitName ?? "")）",
                                            after: ["rectification": action.id.uuidString, "text": action.action,
                                                    "unitName": action.ownerUnitName ?? ""], at: now))
                }
            }
        }
        var added: [StoredClock] = []
        if request.to == .followUp {
            added.append(ClockBook.followUp(complaintID: id, at: now, id: self.services.ids.next()))
        }
        if request.to == .reopened {
            let rule = settings.rule(for: current)
            added.append(ClockBook.reopened(complaintID: id, at: now, rule: rule, calendar: settings.calendar,
                                            id: self.services.ids.next()))
        }
        ClockBook.setDue(current, from: clocks + added)
        try await current.update(on: tx)
        for i in changed { try await ClockStore.update(clocks[i], on: tx) }
        try await ClockStore.insert(added, on: tx)
        var events = [self.event(id, actor, "status_changed", visible: true, before: before, after: after, at: now)]
        if let note { events.append(self.event(id, actor, "note", visible: false, note: note, at: now)) }
        // The customer hears that the investigation started, is asked how it went once the solution is carried
        // out, and hears that the complaint is closed — on their channel.
        let notices: [ComplaintStatus: NoticeKind] = [.investigating: .investigating, .followUp: .survey, .closed: .closed]
        if let notice = notices[request.to], let customer = try await CustomerModel.find(current.$customer.id, on: tx) {
            extra += try await CustomerNotices.queue(
                notice, values: ["summary": current.resolutionSummary ?? ""], link: notice == .survey,
                key: events[0].id?.uuidString ?? "\(id)", complaint: current, customer: customer, services: services, on: tx)
        }
        try await ComplaintStore.append(events + [claimed].compactMap { $0 } + extra, on: tx)
    }

    /// Checks the root cause of a closing against the list and, for a systemic one, drafts its rectification.
    func closingPlan(_ complaint: ComplaintModel, _ request: TransitionRequest, by actor: Actor) async throws
        -> (rootCause: String?, rectification: RectificationRow?)
    {
        let causes = try await RootCauseStore.list(activeOnly: false, on: db)
        var cause: RootCauseRow?
        if let given = request.rootCause?.trimmed, !given.isEmpty {
            guard let found = causes.first(where: { $0.active && ($0.name == given || $0.code == given) }) else {
                let names = causes.filter(\.active).map(\.name).joined(separator: "、")
                throw KesuError.refused("Choose a root cause from the list: \(names).", fields: ["rootCause": ["not in the list"]])
            }
            cause = found
        } else if let kept = complaint.rootCause {
            cause = causes.first { $0.name == kept }
        }
        guard let cause, cause.systemic else { return (cause?.name, nil) }
        let plan = request.rectification ?? RectificationPlan()
        let now = services.now()
        var unit: OrgUnitModel?
        if let code = plan.unit?.trimmed, !code.isEmpty {
            guard let found = try await OrgUnitModel.query(on: db).filter(\.$code == code).first() else {
                throw KesuError.refused("No unit \(code.prefix(40)).", fields: ["rectificationUnit": ["unknown unit"]])
            }
            unit = found
        } else {
            for candidate in [complaint.responsibleUnitID, complaint.$outlet.id, actor.unitID] {
                if let candidate, let found = try await OrgUnitModel.find(candidate, on: db) {
                    unit = found
                    break
                }
            }
        }
        if let courier = unit, let kind = UnitKind(rawValue: courier.kind), !ClosingRules.rectifies(kind),
           let parent = courier.parentID {
            unit = try await OrgUnitModel.find(parent, on: db)
        }
        guard let unit else { throw KesuError.refused("Name the unit that rectifies.", fields: ["rectificationUnit": ["missing"]]) }
        let due = try ClosingRules.rectificationDue(given: plan.dueAt, now: now).roundedToMillis
        let text = try plan.action.flatMap { try Self.checkNote($0, required: false) }
            ?? "针对「\(cause.name)」制定并落实整改措施，防止同类投诉再次发生"
        var row = RectificationRow(id: services.ids.next(), complaintID: try complaint.requireID(), rootCause: cause.name,
                                   action: text, ownerUnitID: try unit.requireID(), ownerUnitPath: unit.path, dueAt: due,
                                   createdByName: actor.displayName, createdAt: now)
        row.ownerUnitName = unit.name
        return (cause.name, row)
    }

    /// Adds an internal note, a reply the customer sees (the first reply is remembered), or the reply sent to the
    /// regulator for a forwarded appeal; replies meet the clocks they answer.
    package func addNote(_ number: String, body: String, customerVisible: Bool, toRegulator: Bool = false,
                         by actor: Actor) async throws -> ComplaintEventModel
    {
        try actor.require(.workComplaints)
        guard let text = try Self.checkNote(body, required: true) else { throw KesuError.refused("A note needs text.") }
        let complaint = try await visible(number, to: actor, for: .workComplaints)
        let id = try complaint.requireID()
        let now = services.now()
        let kind = toRegulator ? "regulator_reply" : customerVisible ? "reply" : "note"
        if toRegulator, complaint.channel != KesuCore.Channel.regulator.rawValue {
            throw KesuError.refused("Only a complaint forwarded by the regulator has a regulator reply.",
                                    fields: ["toRegulator": ["not a regulator complaint"]])
        }
        let note = event(id, actor, kind, visible: customerVisible, note: text, at: now)
        // A reply meets the first-reply clock and any promise to contact the customer; a reply to the regulator
        // meets the regulator's clock.
        let meets: Set<ClockKind> = (customerVisible ? ClockRules.metByReply : []).union(toRegulator ? [.regulator] : [])
        try await services.writer.write(on: db) { tx in
            try await RowLock.complaint(id, on: tx)
            guard let current = try await ComplaintModel.find(id, on: tx) else { throw KesuError.notFound("No complaint \(number).") }
            let claimed = customerVisible || toRegulator ? try self.claim(current, by: actor, at: now) : nil
            // A reply goes to the customer on the channel they wrote by (an e-mail answers their e-mail, threaded).
            var sent = customerVisible && !toRegulator ? try await CustomerNotices.queue(
                .reply, values: ["text": text], key: note.id?.uuidString ?? "\(id)", complaint: current,
                customer: complaint.customer, services: services, on: tx) : []
            if toRegulator {
                // The reply to the regulator is a tracked message of its own, citing the regulator's case number.
                let caseNumber = try await ComplaintStore.timeline(of: id, on: tx)
                    .first { $0.kind == "regulator_case" }?.afterFields?["caseNumber"] ?? ""
                sent += try await CustomerNotices.queue(
                    .regulator, values: ["text": text, "caseNumber": caseNumber], key: note.id?.uuidString ?? "\(id)",
                    complaint: current, customer: complaint.customer,
                    to: services.config.regulatorEmail.map { ("email", $0) } ?? ("regulator", "12305"), services: services, on: tx)
            }
            try await ComplaintStore.append([note] + [claimed].compactMap { $0 } + sent, on: tx)
            if customerVisible, current.firstReplyAt == nil { current.firstReplyAt = now }
            current.updatedAt = now
            try await current.update(on: tx)
            guard !meets.isEmpty else { return }
            var clocks = try await ClockStore.clocks(of: id, forUpdate: true, on: tx)
            let changed = ClockBook.meet(&clocks, kinds: meets, at: now)
            guard !changed.isEmpty else { return }
            for i in changed { try await ClockStore.update(clocks[i], on: tx) }
            try await ClockStore.setDue(complaintID: id, nearest: ClockBook.nearest(clocks), on: tx)
        }
        return note
    }

    static func checkNote(_ text: String, required: Bool) throws -> String? {
        let t = text.trimmed
        if t.isEmpty {
            if required { throw KesuError.refused("A note needs text.", fields: ["body": ["empty"]]) }
            return nil
        }
        guard text.length <= noteLengthLimit.upperBound else {
            throw KesuError.invalid("A note is at most \(noteLengthLimit.upperBound) characters.",
                                    fields: ["body": ["too long"]])
        }
        return t
    }
}
