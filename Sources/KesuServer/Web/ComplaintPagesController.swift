import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// The complaint page, with the actions legal in the complaint's state.
struct ComplaintPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("complaints", ":number", use: show)
        routes.post("complaints", ":number", "transition", use: transition)
        routes.post("complaints", ":number", "notes", use: note)
        routes.post("complaints", ":number", "take", use: take)
        routes.post("complaints", ":number", "change", use: change)
    }

    // MARK: One complaint

    @Sendable func show(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        let number = req.parameters.get("number") ?? ""
        let db = req.db
        let details = try await ComplaintDetails.load(number, for: actor, parts: .page, services: req.application.kesu,
                                                      db: db)
        let complaint = details.complaint
        let row = try ComplaintRow(complaint)
        let canAssign = actor.may(.assignComplaints, on: try .complaint(complaint))
        let language = WebSession.language(req)
        // What the page offers beside the complaint — replies, categories, people, units, limits — read side by side.
        async let cannedList = CannedReplyModel.query(on: db).sort(\.$position).all()
        async let subcategoryList = SubcategoryStore.all(on: db)
        async let handlerList = canAssign ? Self.handlers(on: db) : []
        async let unitList = OrgStore.all(on: db)
        async let authorityLimits = ProposalStore.authorityLimits(on: db)
        async let compensationCard = ResolutionPagesController.compensationCard(req, number: row.number, actor: actor,
                                                                                 language: language)
        let timeline = details.timeline, shipments = details.shipments, attachments = details.attachments
        let (canned, subcategories, handlers) = try await (cannedList, subcategoryList, handlerList)
        let t = language.strings
        let format = PageFormat(language: language, timeZone: req.application.kesu.config.timeZone)
        let texts = EventText(language: language, format: format, channel: row.channel)
        let status = ComplaintStatus(rawValue: row.status) ?? .received
        let heldFrom = row.heldFrom.flatMap(ComplaintStatus.init(rawValue:))
        let now = req.application.kesu.clock.now()
        let due = format.due(at: row.dueAt, warnAt: row.dueWarnAt, kind: row.dueKind, now: now)
        // The nearest deadline still running first, then the rest as they fall due.
        let ordered = details.clocks.sorted { a, b in
            let (ra, rb) = (a.clock.metAt == nil, b.clock.metAt == nil)
            return ra != rb ? ra : a.clock.dueAt < b.clock.dueAt
        }
        let clocks = ordered.map { stored in
            let clock = stored.clock
            let state = clock.state(at: now)
            let tone = switch state {
            case .met: clock.metInTime == false ? "late" : "done"
            case .breached: "late"
            case .warning: "warn"
            case .paused: "done"
            case .running: "ok"
            }
            return ClockItem(name: language.name(of: clock.kind), due: format.time(clock.dueAt),
                             state: language.name(of: state), tone: tone,
                             note: stored.note.map { Self.stepTitle($0, in: language) } ?? "")
        }
        // A unit asked to investigate sees the complaint and answers its question; the complaint's owners work it.
        let canWork = actor.may(.workComplaints, on: try .complaint(complaint))
        let (compensation, limits, allUnits) = try await (compensationCard, authorityLimits, unitList)
        let finding = details.finding
        let tasks = details.tasks.map { task in
            TaskItem(id: task.id.uuidString, title: Self.stepTitle(task.title, in: language), owner: task.ownerName,
                     due: format.time(task.dueAt),
                     done: task.done, late: !task.done && task.dueAt < now,
                     doneText: task.doneAt.map { "\(format.time($0)) \(task.doneByName ?? "")" + (task.note.map { " · \($0)" } ?? "") } ?? "")
        }
        let proposals = details.proposals.map { p in
            ProposalItem(
                id: p.id.uuidString, kind: language.name(of: p.kind),
                amount: CompensationEngine.yuan(p.amountFen), description: p.description,
                state: t["proposal_" + p.state.rawValue] ?? p.state.rawValue, stateCode: p.state.rawValue,
                by: p.proposedByName, approvedBy: p.approvedByName ?? "", reason: p.decisionReason ?? "",
                canApprove: p.state == .pendingApproval && p.proposedBy != actor.userID
                    && limits.covers(actor.role, amountFen: p.amountFen),
                canOffer: p.state == .ready, canDecide: p.state == .offered)
        }
        let units = allUnits.filter { [UnitKind.outlet, .transferCentre, .courier].map(\.rawValue).contains($0.kind) }

        let responsibility = ResponsibilityCard(
            party: finding.map { language.name(of: $0.party) },
            unit: finding?.unit.map { "\($0.name) (\($0.code))" }, person: finding?.person, reason: finding?.reason,
            evidence: finding?.evidence ?? [],
            parties: ResponsibleParty.allCases.map {
                Choice(value: $0.rawValue, label: language.name(of: $0), selected: $0 == finding?.party)
            },
            units: [Choice(value: "", label: "—", selected: finding?.unit == nil)] + units.map {
                Choice(value: $0.code, label: "\($0.name) (\($0.code))", selected: $0.code == finding?.unit?.code)
            })
        let transitions = canWork ? Lifecycle.allowed(from: status, heldFrom: heldFrom).map {
            Choice(value: $0.rawValue, label: language.name(of: $0), selected: false)
        } : []
        let closure = try await InvestigationPagesController.card(
            req, details: details, actor: actor, units: allUnits,
            closable: transitions.contains { $0.value == ComplaintStatus.closed.rawValue },
            language: language, format: format, now: now)
        let next = NextStep.of(status, allowed: Lifecycle.allowed(from: status, heldFrom: heldFrom), canWork: canWork,
                               answering: closure.inquiries.contains { $0.canAnswer }, in: language)
        var page = ComplaintPage(
            chrome: Pages.chrome(req, title: "\(row.number) · \(t["app"] ?? "")", actor: actor),
            number: row.number, status: language.name(of: status), priority: row.priority,
            urgent: row.priority == Priority.p1.rawValue,
            category: SubcategoryGroup.label(category: row.category, subcategory: row.subcategory, in: subcategories,
                                             language: language),
            channel: KesuCore.Channel(rawValue: row.channel).map(language.name(of:)) ?? row.channel, receivedAt: format.time(row.receivedAt), escalation: row.escalationLevel,
            flags: row.flags.map { t["flag." + $0] ?? $0 }, description: row.description, customer: row.customerName,
            phone: seesFullPhone(actor) ? row.customerPhone : (PhoneNumber(row.customerPhone)?.masked ?? "****"),
            customerComplaints: row.customerComplaintCount, assignee: row.assigneeName ?? (t["none"] ?? ""),
            outlet: row.outletName ?? (t["none"] ?? ""), dueText: due.text, due: due.state, clocks: clocks,
            isRegulator: row.channel == KesuCore.Channel.regulator.rawValue,
            promiseDefault: format.inputTime(now + 2 * 3_600), compensation: compensation,
            responsibility: responsibility, proposals: proposals, tasks: tasks, closure: closure,
            followUps: details.followUps.map {
                language.text("follow_up_line", [
                    "time": format.time($0.at), "outcome": language.name(of: $0.outcome),
                    "by": $0.via == "portal" ? language.text("followUpVia.portal") : $0.recordedBy,
                ]) + ($0.comment.map { language.text("follow_up_comment", ["comment": $0]) } ?? "")
            },
            followUpOpen: status == .followUp,
            outcomes: FollowUpOutcome.allCases.map {
                Choice(value: $0.rawValue, label: language.name(of: $0), selected: false)
            },
            proposalKinds: ProposalKind.allCases.map {
                Choice(value: $0.rawValue, label: language.name(of: $0), selected: false)
            },
            limit: limits.limit(for: actor.role).map(CompensationEngine.yuan) ?? (t["unlimited"] ?? ""),
            transitions: transitions, needsClosure: transitions.contains { $0.value == ComplaintStatus.closed.rawValue },
            timeline: timeline.reversed().map { event in
                TimelineItem(at: format.time(event.at), actor: event.actorName ?? "—", kind: texts.kind(of: event),
                             text: texts.text(of: event), isInternal: !event.customerVisible,
                             who: PortalController.byCustomer(event) || event.kind == "created" ? "customer"
                                 : ["reply", "note", "regulator_reply", "call"].contains(event.kind) ? "staff" : "system")
            },
            shipments: shipments.map { s in
                ShipmentCard(
                    waybill: s.waybill, fee: CompensationEngine.yuan(s.serviceFeeFen), insured: s.insuredValueFen.map(CompensationEngine.yuan) ?? "—",
                    itemKind: s.itemKind, route: "\(s.origin?.name ?? "—") → \(s.destination?.name ?? "—")",
                    tracking: s.events.sorted { $0.at > $1.at }.map {
                        TrackingItem(at: format.time($0.at), kind: $0.kind,
                                     text: [$0.description, $0.location].compactMap { $0 }.joined(separator: " · "))
                    })
            },
            attachments: attachments.map { AttachmentItem($0, urlPrefix: "/attachments/") },
            cannedReplies: canned.map {
                Choice(value: CannedReplyText.fill($0.body, customer: row.customerName, number: row.number,
                                                   promisedTime: format.defaultPromise(now: now),
                                                   handler: actor.displayName),
                       label: $0.title, selected: false)
            },
            canAssign: canAssign,
            assignees: [Choice(value: "", label: t["none"] ?? "", selected: row.assigneeUsername == nil)]
                + handlers.map { Choice(value: $0.username, label: $0.displayName, selected: $0.username == row.assigneeUsername) },
            categories: ComplaintCategory.allCases.map {
                Choice(value: $0.rawValue, label: language.name(of: $0), selected: $0.rawValue == row.category)
            },
            subcategories: SubcategoryGroup.all(subcategories, selected: row.subcategory, language: language),
            priorities: Priority.allCases.map { Choice(value: $0.rawValue, label: $0.rawValue, selected: $0.rawValue == row.priority) },
            next: next, otherMoves: transitions.filter { move in !next.moves.contains { $0.value == move.value } },
            canWork: canWork, unassigned: row.assigneeUsername == nil, done: Pages.flash(req, language: language),
            historyText: language.text("customer_history", ["n": String(row.customerComplaintCount)]),
            canFine: actor.may(.issueFines))
        let reviews = CustomerReviewService(services: req.application.kesu, db: req.db)
        let customerID = complaint.$customer.id
        page.risk = try await reviews.signals(of: customerID).map { CustomerReviewPagesController.text($0, language) }
        page.listed = try await reviews.isListed(customerID)
        page.customerID = customerID.uuidString
        page.triage = TriageCard.of(flags: row.flags, category: row.category, timeline: timeline, language: language)
        return try await req.view.render("complaints/show", page)
    }

    @Sendable func transition(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable {
            var to: String, note: String?, resolutionSummary: String?, responsibleParty: String?, rootCause: String?
            var rectificationAction: String?, rectificationUnit: String?, rectificationDueAt: String?
        }
        let form = try req.content.decode(Form.self)
        guard let to = ComplaintStatus(rawValue: form.to) else { throw KesuError.invalid("Unknown status \(form.to.prefix(30)).") }
        let number = req.parameters.get("number") ?? ""
        var request = TransitionRequest(
            to: to, note: form.note, resolutionSummary: form.resolutionSummary.flatMap { $0.isEmpty ? nil : $0 },
            responsibleParty: form.responsibleParty.flatMap(ResponsibleParty.init(rawValue:)),
            rootCause: form.rootCause.flatMap { $0.isEmpty ? nil : $0 })
        if to == .closed {
            let format = PageFormat(language: WebSession.language(req), timeZone: req.application.kesu.config.timeZone)
            var plan = RectificationPlan(action: form.rectificationAction.flatMap { $0.trimmed.isEmpty ? nil : $0 },
                                         unit: form.rectificationUnit.flatMap { $0.isEmpty ? nil : $0 })
            if let text = form.rectificationDueAt, !text.isEmpty {
                guard let due = format.parseInputTime(text) else {
                    throw KesuError.invalid("The rectification's due time must be a date and time.",
                                            fields: ["rectificationDueAt": ["malformed"]])
                }
                plan.dueAt = due
            }
            request.rectification = plan
        }
        let complaint = try await ComplaintService(services: req.application.kesu, db: req.db)
            .transition(number, request, by: actor)
        return req.redirect(to: Pages.withFlash("/complaints/\(complaint.number)", "moved", status: to))
    }

    @Sendable func note(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var body: String, visible: String?, regulator: String? }
        let form = try req.content.decode(Form.self)
        let number = req.parameters.get("number") ?? ""
        _ = try await ComplaintService(services: req.application.kesu, db: req.db)
            .addNote(number, body: form.body, customerVisible: form.visible == "1", toRegulator: form.regulator == "1",
                     by: actor)
        let done = form.regulator == "1" ? "regulator_replied" : form.visible == "1" ? "replied" : "noted"
        return req.redirect(to: Pages.withFlash("/complaints/\(number)", done))
    }

    @Sendable func take(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        let number = req.parameters.get("number") ?? ""
        _ = try await ComplaintService(services: req.application.kesu, db: req.db)
            .change(number, ComplaintChange(assignee: actor.username), by: actor)
        return req.redirect(to: Pages.withFlash("/complaints/\(number)", "taken"))
    }

    /// Changes assignee, category and priority from the complaint page.
    @Sendable func change(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var assignee: String?, category: String?, subcategory: String?, priority: String? }
        let form = try req.content.decode(Form.self)
        let number = req.parameters.get("number") ?? ""
        let change = ComplaintChange(
            assignee: actor.may(.assignComplaints) ? form.assignee : nil,
            category: form.category.flatMap(ComplaintCategory.init(rawValue:)), subcategory: form.subcategory,
            priority: form.priority.flatMap(Priority.init(rawValue:)))
        _ = try await ComplaintService(services: req.application.kesu, db: req.db).change(number, change, by: actor)
        return req.redirect(to: Pages.withFlash("/complaints/\(number)", "changed"))
    }

    /// A proposal step's title (also its clock's note), stored as "<the step in Chinese>：<the proposal>", with the
    /// step named in the reader's language; any other text as it is.
    static func stepTitle(_ stored: String, in language: Language) -> String {
        for kind in TaskKind.allCases {
            let prefix = Language.zh.name(of: kind) + "："
            if stored.hasPrefix(prefix) {
                return language.text("task_title", ["kind": language.name(of: kind), "text": String(stored.dropFirst(prefix.count))])
            }
        }
        return stored
    }

    /// The staff who handle complaints, for the assignee lists.
    static func handlers(on db: any Database) async throws -> [UserModel] {
        try await UserModel.query(on: db)
            .filter(\.$role ~~ [Role.agent, .supervisor, .claims, .quality].map(\.rawValue))
            .filter(\.$active == true)
            .sort(\.$username).all()
    }
}
