import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// 调查 / 结案 / 整改 / 典型案例 on the staff pages: ask a unit and answer with files on the complaint page; the
/// rectifications page; typical cases by category.
struct InvestigationPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("complaints", ":number", "inquiries", use: ask)
        routes.on(.POST, "complaints", ":number", "inquiries", ":id", "answer",
                  body: .collect(maxSize: ByteCount(value: 5 * AttachmentsController.uploadLimit.value)), use: answer)
        routes.post("complaints", ":number", "typical-case", use: markTypical)
        routes.get("rectifications", use: rectifications)
        routes.post("rectifications", ":id", ":action", use: rectificationAction)
        routes.get("cases", use: cases)
    }

    /// The complaint page's investigation and closing card.
    static func card(_ req: Request, details: ComplaintDetails, actor: Actor, units: [OrgUnitModel], closable: Bool,
                     language: Language, format: PageFormat, now: Date) async throws -> ClosureCard {
        let t = language.strings
        let complaint = details.complaint
        let status = ComplaintStatus(rawValue: complaint.status) ?? .received
        let inquiries = details.inquiries.map { item($0, actor: actor, t: t, format: format, now: now) }
        // Only a complaint that has been closed has rectifications or can be a typical case; only one that may be
        // closed now needs the list of causes.
        let rectifications = details.rectifications.map { item($0, actor: actor, t: t, format: format, now: now) }
        let causes = closable ? try await RootCauseStore.list(activeOnly: true, on: req.db) : []
        let askable = units.filter { $0.kind != UnitKind.courier.rawValue }
        let typical = details.typical
        return ClosureCard(
            inquiries: inquiries,
            askUnits: askable.map { Choice(value: $0.code, label: "\($0.name) (\($0.code))", selected: $0.$id.value == complaint.$outlet.id) },
            askDefault: format.inputTime(now + 24 * 3_600),
            rootCauses: causes.map {
                Choice(value: $0.code, label: $0.name + ($0.systemic ? "（\(t["systemic"] ?? "")）" : ""),
                       selected: $0.name == complaint.rootCause)
            },
            parties: ResponsibleParty.allCases.map {
                Choice(value: $0.rawValue, label: language.name(of: $0),
                       selected: $0.rawValue == complaint.responsibleParty)
            },
            rectificationUnits: [Choice(value: "", label: "—", selected: true)]
                + askable.map { Choice(value: $0.code, label: "\($0.name) (\($0.code))", selected: false) },
            rectifications: rectifications,
            isClosed: status == .closed,
            canMarkTypical: actor.may(.markTypicalCases, on: try .complaint(complaint)),
            lesson: typical?.lesson ?? "")
    }

    static func item(_ q: InquiryRow, actor: Actor, t: [String: String], format: PageFormat, now: Date) -> InquiryItem {
        InquiryItem(id: q.id.uuidString, number: q.complaintNumber ?? "", unit: q.askedUnitName ?? "", question: q.question,
                    askedBy: q.askedByName, due: format.time(q.dueAt), state: t["inquiry_" + q.state] ?? q.state,
                    stateCode: q.state, late: q.state == "open" && q.dueAt < now, answer: q.answer ?? "",
                    answeredBy: q.answeredAt.map { "\(q.answeredByName ?? "") · \(format.time($0))" } ?? "",
                    canAnswer: q.state == "open"
                        && actor.may(.workComplaints, on: .owned(by: q.askedUnitPath, complaintID: q.complaintID)))
    }

    static func item(_ r: RectificationRow, actor: Actor, t: [String: String], format: PageFormat, now: Date)
        -> RectificationItem
    {
        var done = ""
        if let at = r.doneAt { done = "\(r.doneByName ?? "") · \(format.time(at)) · \(r.doneNote ?? "")" }
        if let at = r.verifiedAt { done += "；\(t["rect_verified"] ?? "") \(r.verifiedByName ?? "") · \(format.time(at))" }
        if r.state == "open", let note = r.doneNote { done = note }
        let subject = Subject.owned(by: r.ownerUnitPath, complaintID: r.complaintID)
        return RectificationItem(
            id: r.id.uuidString, number: r.complaintNumber ?? "", rootCause: r.rootCause, action: r.action,
            unit: r.ownerUnitName ?? "", due: format.time(r.dueAt), late: r.state == "open" && r.dueAt < now,
            state: t["rect_" + r.state] ?? r.state, stateCode: r.state, doneText: done,
            canReport: r.state == "open" && actor.may(.workComplaints, on: subject),
            canVerify: r.state == "done" && actor.may(.verifyRectifications, on: subject) && r.doneBy != actor.userID)
    }

    @Sendable func ask(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var unit: String, question: String, dueAt: String? }
        let form = try req.content.decode(Form.self)
        let number = req.parameters.get("number") ?? ""
        let format = PageFormat(language: WebSession.language(req), timeZone: req.application.kesu.config.timeZone)
        var due: Date?
        if let text = form.dueAt, !text.isEmpty {
            guard let parsed = format.parseInputTime(text) else {
                throw KesuError.invalid("The answer-by time must be a date and time.", fields: ["dueAt": ["malformed"]])
            }
            due = parsed
        }
        _ = try await InquiryService(services: req.application.kesu, db: req.db)
            .ask(number, unitCode: form.unit, question: form.question, dueAt: due, by: actor)
        return req.redirect(to: Pages.withFlash("/complaints/\(number)#inquiries", "asked"))
    }

    @Sendable func answer(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var answer: String, files: [File]? }
        let form = try req.content.decode(Form.self)
        let number = req.parameters.get("number") ?? ""
        let id = try ResolutionPagesController.id(req, "investigation")
        let files = (form.files ?? []).filter { $0.data.readableBytes > 0 || !$0.filename.isEmpty }
            .map(AttachmentsController.evidence)
        _ = try await InquiryService(services: req.application.kesu, db: req.db)
            .answer(number, id, text: form.answer, files: files, by: actor)
        return req.redirect(to: Pages.withFlash("/complaints/\(number)#inquiries", "answered"))
    }

    @Sendable func markTypical(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var lesson: String?, remove: String? }
        let form = try req.content.decode(Form.self)
        let number = req.parameters.get("number") ?? ""
        let service = ClosureService(services: req.application.kesu, db: req.db)
        if form.remove == "1" {
            try await service.unmarkTypical(number, by: actor)
        } else {
            try await service.markTypical(number, lesson: form.lesson ?? "", by: actor)
        }
        return req.redirect(to: Pages.withFlash("/complaints/\(number)#typical", "typical"))
    }

    @Sendable func rectifications(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        let all = (try? req.query.get(String.self, at: "all")) == "1"
        let language = WebSession.language(req)
        let format = PageFormat(language: language, timeZone: req.application.kesu.config.timeZone)
        let now = req.application.kesu.clock.now()
        let rows = try await ClosureService(services: req.application.kesu, db: req.db)
            .rectifications(for: actor, includeVerified: all)
        let page = RectificationsPage(
            chrome: Pages.chrome(req, title: language.strings["rectifications"] ?? "", actor: actor),
            items: rows.map { Self.item($0, actor: actor, t: language.strings, format: format, now: now) },
            includeVerified: all)
        return try await req.view.render("closure/rectifications", page)
    }

    @Sendable func rectificationAction(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var note: String? }
        let form = try req.content.decode(Form.self)
        let id = try ResolutionPagesController.id(req, "rectification")
        let service = ClosureService(services: req.application.kesu, db: req.db)
        switch req.parameters.get("action") {
        case "done": _ = try await service.markDone(id, note: form.note ?? "", by: actor)
        case "verify": _ = try await service.verify(id, accepted: true, note: form.note, by: actor)
        case "return": _ = try await service.verify(id, accepted: false, note: form.note, by: actor)
        default: throw KesuError.notFound("No such action.")
        }
        return req.redirect(to: "/rectifications")
    }

    @Sendable func cases(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        let language = WebSession.language(req)
        let format = PageFormat(language: language, timeZone: req.application.kesu.config.timeZone)
        let chosen = (try? req.query.get(String.self, at: "category")).flatMap(ComplaintCategory.init(rawValue:))
        let rows = try await ClosureService(services: req.application.kesu, db: req.db)
            .typicalCases(category: chosen, by: actor)
        let page = TypicalCasesPage(
            chrome: Pages.chrome(req, title: language.strings["typical_cases"] ?? "", actor: actor),
            categories: [Choice(value: "", label: language.strings["all_categories"] ?? "", selected: chosen == nil)]
                + ComplaintCategory.allCases.map { Choice(value: $0.rawValue, label: language.name(of: $0), selected: $0 == chosen) },
            cases: rows.map { c in
                TypicalCaseItem(
                    number: c.number, category: ComplaintCategory(rawValue: c.category).map(language.name(of:)) ?? c.category,
                    lesson: c.lesson, by: c.markedByName, at: format.time(c.markedAt), description: c.description,
                    resolution: c.resolutionSummary ?? "",
                    party: c.responsibleParty.flatMap(ResponsibleParty.init(rawValue:))
                        .map { language.name(of: $0) } ?? "",
                    rootCause: c.rootCause ?? "")
            })
        return try await req.view.render("closure/cases", page)
    }
}
