import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// The customers' pages (no login): file a complaint (我要投诉) and follow it (查询进度) by a private link or by
/// complaint number and phone. Customers see the customer-visible timeline only.
struct PortalController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("portal", use: home)
        routes.get("portal", "new", use: newForm)
        routes.on(.POST, "portal", "new", body: .collect(maxSize: ByteCount(value: 3 * FileKind.maxBytes + 1_048_576)), use: file)
        routes.post("portal", "track", use: track)
        // Reloading or bookmarking the answer to the number + phone form goes back to that form.
        routes.get("portal", "track") { req in req.redirect(to: "/portal#track") }
        routes.get("t", ":token", use: status)
        routes.post("t", ":token", "messages", use: message)
        routes.post("t", ":token", "proposals", ":id", ":answer", use: answer)
        routes.post("t", ":token", "survey", use: survey)
        routes.post("t", ":token", "notices", use: notices)
    }

    /// Who the timeline names for a complaint filed on these pages: the web channel, which may file and nothing else.
    static let customerActor = Actor(
        userID: UUID(uuid: (0, 0, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0xc0, 0xde)), username: "portal",
        displayName: "客户（网页）", role: .system, unitID: UUID(uuid: (0, 0, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 0)),
        unitKind: .hq, unitPath: UnitPath(rawValue: "/"), tokenID: nil, standsFor: .integration(.channel(.web)))

    /// The customer once their private link has proved which complaint is theirs: the policy lets them answer on that
    /// complaint only; the timeline names them as the customer.
    static func customer(of complaint: ComplaintModel) throws -> Actor {
        var actor = customerActor
        actor.standsFor = .customer(complaintID: try complaint.requireID())
        return actor
    }

    struct Offer: Encodable { var id, kind, amount, description: String }

    /// One step of the customer's progress bar: `done`, `current` or `todo`.
    struct Step: Encodable { var name: String, state: String }

    /// The customer's steps, and where a status stands among them.
    static let steps = ["received", "checking", "deciding", "doing", "follow_up", "done"]
    static func step(of status: ComplaintStatus, heldFrom: ComplaintStatus?) -> Int {
        switch status {
        case .received: 0
        case .triaged, .investigating, .reopened: 1
        case .proposing, .awaitingCustomer: 2
        case .executing: 3
        case .followUp: 4
        case .closed: 5
        case .onHold: heldFrom.map { step(of: $0, heldFrom: nil) } ?? 1
        }
    }

    /// A status as a customer reads it: the name of its step.
    static func customerName(of status: ComplaintStatus, heldFrom: ComplaintStatus? = nil, in language: Language) -> String {
        language.text("step." + steps[step(of: status, heldFrom: heldFrom)])
    }

    struct FileForm: Codable {
        var name = "", phone = "", waybill = "", category = "", description = "", key = ""
    }

    struct HomePage: Encodable { var chrome: PageChrome; var error: String?; var number: String; var phone: String }
    struct NewPage: Encodable { var chrome: PageChrome; var form: FileForm; var errors: [String]; var categories: [Choice] }
    struct FiledPage: Encodable { var chrome: PageChrome; var number: String; var link: String }
    struct StatusPage: Encodable {
        var chrome: PageChrome
        var number: String, status: String, category: String, receivedAt: String, token: String
        /// 已受理 → 核实中 → 方案确认 → 处理中 → 回访 → 已完结, in customers' words.
        var steps: [Step]
        /// What happens next and by when; who handles the complaint.
        var nextText: String, handler: String
        var description: String
        var timeline: [TimelineItem]
        var attachments: [AttachmentItem]
        var offers: [Offer]
        /// The follow-up question, while the complaint waits for the customer's verdict.
        var surveyOpen: Bool
        var outcomes: [Choice]
        /// The customer turned off the notices they do not need.
        var noticesOff = false
    }

    @Sendable func home(req: Request) async throws -> View {
        try await req.view.render("portal/home", HomePage(chrome: chrome(req, "portal_track"), error: nil, number: "", phone: ""))
    }

    @Sendable func newForm(req: Request) async throws -> View {
        var form = FileForm()
        form.key = UUID().uuidString
        return try await renderNew(req, form: form, errors: [])
    }

    /// Up to three photos sent with the form.
    struct Photos: Decodable { var photos: [File]? }

    @Sendable func file(req: Request) async throws -> Response {
        let form = try req.content.decode(FileForm.self)
        let photos = ((try? req.content.decode(Photos.self))?.photos ?? []).filter { $0.data.readableBytes > 0 }
        guard photos.count <= 3 else { throw KesuError.invalid("At most three photos.", fields: ["photos": ["at most 3"]]) }
        let services = req.application.kesu
        let filing = [Throttle.Check(.portalFiling, req.sourceAddress)]
        do {
            try await req.application.throttle.check(filing, services: services, on: req.db)
        } catch is TooManyAttempts {
            throw KesuError(.tooManyRequests, "Too many complaints from here just now; please wait a few minutes.")
        }
        let draft = ComplaintDraft(
            channel: .web, customerName: form.name, customerPhone: form.phone,
            waybillNumbers: form.waybill.split(whereSeparator: { $0.isWhitespace || ",，;；".contains($0) }).map(String.init),
            description: form.description, category: ComplaintCategory(rawValue: form.category))
        do {
            let complaint = try await ComplaintService(services: services, db: req.db)
                .record(draft, idempotencyKey: form.key.isEmpty ? nil : "portal-" + form.key, by: Self.customerActor)
            try await req.application.throttle.fail(filing, services: services, on: req.db)
            let evidence = EvidenceService(services: services, db: req.db)
            for photo in photos {
                try await evidence.add(AttachmentsController.evidence(photo), toOwn: complaint, by: try Self.customer(of: complaint))
            }
            let token = try await ComplaintService(services: services, db: req.db).issueCustomerLink(to: try complaint.requireID())
            return try await req.view.render("portal/filed", FiledPage(
                chrome: chrome(req, "portal_filed"), number: complaint.number, link: Self.absolute(req, "/t/\(token)"))).encodeResponse(for: req)
        } catch let error as KesuError where error.isBadInput {
            let language = WebSession.language(req)
            let problems = IntakePageController.problems(error, in: language)
            return try await renderNew(req, form: form,
                                       errors: problems.isEmpty ? [WebErrorMiddleware.message(error, in: language)] : problems)
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    @Sendable func track(req: Request) async throws -> Response {
        struct Form: Decodable { var number: String?, phone: String? }
        let form = try req.content.decode(Form.self)
        let t = WebSession.language(req).strings
        func refuse(_ message: String?, status: HTTPStatus) async throws -> Response {
            try await req.view.render("portal/home", HomePage(chrome: chrome(req, "portal_track"), error: message,
                                                               number: form.number ?? "", phone: form.phone ?? ""))
                .encodeResponse(status: status, for: req)
        }
        // Wrong guesses count against the address and against the complaint number, whoever guesses; a success
        // clears only that number's count, so one's own complaint found now and then opens no one else's.
        let number = ComplaintNumber(form.number ?? "")
        let checks = [Throttle.Check(.portalSource, req.sourceAddress)]
            + (number.map { [Throttle.Check(.portalNumber, $0.rawValue)] } ?? [])
        let services = req.application.kesu
        let counted: [Throttle.Check]
        do {
            counted = try await req.application.throttle.check(checks, services: services, on: req.db)
        } catch is TooManyAttempts {
            return try await refuse(t["too_many"], status: .tooManyRequests)
        }
        // The same answer whether the number exists or the phone is wrong.
        guard let number, let phone = PhoneNumber(form.phone ?? ""),
              let id = try await PortalStore.complaintID(number: number.rawValue, phone: phone.digits, on: req.db)
        else {
            try await req.application.throttle.fail(checks, services: services, on: req.db)
            return try await refuse(t["portal_no_match"], status: .ok)
        }
        try await req.application.throttle.clear(counted.filter { $0.rule == .portalNumber }, services: services,
                                                 on: req.db)
        let token = try await ComplaintService(services: services, db: req.db).issueCustomerLink(to: id)
        return req.redirect(to: "/t/\(token)")
    }

    @Sendable func status(req: Request) async throws -> View {
        let (token, complaint) = try await complaintFor(req)
        let language = WebSession.language(req)
        let format = PageFormat(language: language, timeZone: req.application.kesu.config.timeZone)
        let timeline = try await ComplaintStore.timeline(of: try complaint.requireID(), on: req.db)
            .filter(\.customerVisible)
        let status = ComplaintStatus(rawValue: complaint.status) ?? .received
        let files = try await AttachmentModel.list(complaintID: try complaint.requireID(), on: req.db)
            .filter(\.customerVisible)
        let round = try await FollowUpStore.roundStart(complaintID: try complaint.requireID(), on: req.db)
        let attempts = try await FollowUpStore.list(complaintID: try complaint.requireID(), since: round, on: req.db)
            .map(\.outcome)
        let heldFrom = complaint.heldFrom.flatMap(ComplaintStatus.init(rawValue:))
        let at = Self.step(of: status, heldFrom: heldFrom)
        var handler: String?
        if let id = complaint.$assignee.id { handler = try await UserModel.find(id, on: req.db)?.displayName }
        let step = Self.steps[at]
        let nextText = complaint.dueAt.map {
            language.text("portal_next_by." + step, ["time": format.time($0)])
        } ?? language.text("portal_next." + step)
        return try await req.view.render("portal/status", StatusPage(
            chrome: chrome(req, "portal_track"), number: complaint.number,
            status: Self.customerName(of: status, heldFrom: heldFrom, in: language),
            category: complaint.category.flatMap(ComplaintCategory.init(rawValue:)).map(language.name(of:)) ?? "—",
            receivedAt: format.time(complaint.receivedAt), token: token,
            steps: Self.steps.enumerated().map { i, name in
                Step(name: language.text("step." + name), state: i < at ? "done" : i == at ? "current" : "todo")
            },
            nextText: status == .onHold ? language.text("portal_on_hold") : nextText,
            handler: handler ?? language.text("service"), description: complaint.description,
            timeline: timeline.map { event in
                TimelineItem(at: format.time(event.at), actor: Self.byCustomer(event) ? (language.strings["you"] ?? "")
                             : (language.strings["service"] ?? ""), kind: event.kind,
                             text: Self.customerText(event, language: language, format: format), isInternal: false,
                             who: Self.byCustomer(event) ? "customer" : "staff")
            },
            attachments: files.map { AttachmentItem($0, urlPrefix: "/t/\(token)/attachments/") },
            offers: try await ProposalStore.list(complaintID: try complaint.requireID(), on: req.db)
                .filter { $0.state == .offered }.map {
                    Offer(id: $0.id.uuidString, kind: language.name(of: $0.kind),
                          amount: $0.amountFen > 0 ? CompensationEngine.yuan($0.amountFen) : "", description: $0.description)
                },
            surveyOpen: status == .followUp && FollowUpRules.isOpen(attempts),
            outcomes: [FollowUpOutcome.satisfied, .basicallySatisfied, .unsatisfied].map {
                Choice(value: $0.rawValue, label: language.name(of: $0),
                       selected: false)
            }, noticesOff: complaint.customer.noticesOff == true))
    }

    /// The customer's answer to the follow-up question.
    @Sendable func survey(req: Request) async throws -> Response {
        let (token, complaint) = try await complaintFor(req)
        struct Form: Decodable { var outcome: String?, comment: String? }
        let form = (try? req.content.decode(Form.self)) ?? Form()
        guard let outcome = form.outcome.flatMap(FollowUpOutcome.init(rawValue:)) else {
            throw KesuError.invalid("Choose how satisfied you are.", fields: ["outcome": ["missing"]])
        }
        _ = try await FollowUpService(services: req.application.kesu, db: req.db).record(
            complaint.number, outcome: outcome, comment: form.comment, by: try Self.customer(of: complaint))
        return req.redirect(to: "/t/\(token)")
    }

    /// The customer accepts or rejects (with a reason) a proposal offered to them.
    @Sendable func answer(req: Request) async throws -> Response {
        let (token, complaint) = try await complaintFor(req)
        struct Form: Decodable { var reason: String? }
        // Accepting sends no fields; a body that cannot be read carries no reason either.
        let form = (try? req.content.decode(Form.self)) ?? Form(reason: nil)
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let answer = req.parameters.get("answer"), answer == "accept" || answer == "reject"
        else { throw KesuError.notFound("No such proposal.") }
        _ = try await ProposalService(services: req.application.kesu, db: req.db).decide(
            complaint.number, id, accepted: answer == "accept", reason: form.reason, by: try Self.customer(of: complaint))
        return req.redirect(to: "/t/\(token)")
    }

    /// The customer turns the non-essential notices (investigation started, survey, closed) off or on again.
    @Sendable func notices(req: Request) async throws -> Response {
        let (token, complaint) = try await complaintFor(req)
        struct Form: Decodable { var off: String? }
        try await ComplaintService(services: req.application.kesu, db: req.db)
            .setNotices(off: try req.content.decode(Form.self).off == "1", on: complaint, by: try Self.customer(of: complaint))
        return req.redirect(to: "/t/\(token)#notices")
    }

    @Sendable func message(req: Request) async throws -> Response {
        let (token, complaint) = try await complaintFor(req)
        struct Form: Decodable { var body: String }
        try await ComplaintService(services: req.application.kesu, db: req.db)
            .customerMessage(try req.content.decode(Form.self).body, on: complaint, by: try Self.customer(of: complaint))
        return req.redirect(to: "/t/\(token)")
    }

    /// The customer-visible kinds Kesu writes itself, read from their fields in the customer's language.
    static let toldByFields: Set<String> = ["promise_made", "proposal_offered", "proposal_accepted", "proposal_rejected",
                                            "follow_up", "execution_planned"]

    /// What a customer reads for a timeline event: replies and messages as written, status changes by name.
    static func customerText(_ event: ComplaintEventModel, language: Language, format: PageFormat) -> String {
        if Self.toldByFields.contains(event.kind), event.afterFields != nil {
            return EventText(language: language, format: format, channel: "").text(of: event)
        }
        if event.kind == "status_changed", let to = event.afterFields?["status"].flatMap(ComplaintStatus.init(rawValue:)) {
            return language.text("portal_status", ["status": customerName(of: to, in: language)])
        }
        if event.kind == "created" { return language.text("portal_received") }
        return event.note ?? ""
    }

    /// `path` on this site as a full address the customer can keep, tap or paste: the host they reached us by,
    /// over HTTPS when a trusted proxy says so.
    static func absolute(_ req: Request, _ path: String) -> String {
        let host = req.headers.first(name: .host).flatMap { h in
            h.allSatisfy { $0.isLetter || $0.isNumber || ".-:[]".contains($0) } && h.count < 200 ? h : nil
        } ?? "127.0.0.1"
        let viaProxy = req.application.kesu.config.trustedProxies.contains(req.remoteAddress?.ipAddress ?? "")
        let https = viaProxy && req.headers.first(name: "X-Forwarded-Proto") == "https"
        return (https ? "https://" : "http://") + host + path
    }

    /// Whether the customer did this themselves (a message, a photo, a decision on their page).
    static func byCustomer(_ event: ComplaintEventModel) -> Bool {
        event.kind == "customer_message" || event.actorID == customerActor.userID
    }

    private func complaintFor(_ req: Request) async throws -> (String, ComplaintModel) {
        let token = req.parameters.get("token") ?? ""
        return (token, try await Self.complaint(token: token, on: req))
    }

    /// The complaint a private link leads to (with its customer), or 404.
    static func complaint(token: String, on req: Request) async throws -> ComplaintModel {
        guard token.count >= 20, token.count < 100,
              let id = try await PortalStore.complaintID(tokenHash: AuthService.digest(token), on: req.db),
              let complaint = try await ComplaintStore.find(id: id, on: req.db)
        else { throw KesuError.notFound("This link is not valid.") }
        return complaint
    }

    private func chrome(_ req: Request, _ titleKey: String) -> PageChrome {
        var chrome = Pages.chrome(req, title: WebSession.language(req).strings[titleKey] ?? "", actor: nil)
        chrome.portal = true
        if req.method != .GET { chrome.here = "/portal" }
        return chrome
    }

    private func renderNew(_ req: Request, form: FileForm, errors: [String]) async throws -> View {
        let language = WebSession.language(req)
        let categories = [Choice(value: "", label: language.strings["not_sure"] ?? "", selected: form.category.isEmpty)]
            + ComplaintCategory.allCases.map { Choice(value: $0.rawValue, label: language.name(of: $0), selected: $0.rawValue == form.category) }
        return try await req.view.render("portal/new", NewPage(chrome: chrome(req, "portal_file"), form: form,
                                                               errors: errors, categories: categories))
    }
}
