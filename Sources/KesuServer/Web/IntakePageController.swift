import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// 来电登记 — an agent records a complaint taken on the phone. Typing the phone shows the customer's earlier
/// complaints; typing the waybill shows the shipment and warns of an open complaint on it.
struct IntakePageController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("complaints", "new", use: form)
        routes.get("complaints", "new", "lookup", use: lookup)
        routes.get("complaints", "new", "suggest", use: suggest)
        routes.post("complaints", "new", use: submit)
    }

    struct IntakeForm: Codable {
        var phone: String = ""
        var name: String = ""
        var email: String = ""
        var waybill: String = ""
        var category: String = ""
        /// Optional in the form: older pages and scripts post without it.
        var subcategory: String?
        var priority: String = ""
        var channel: String = "phone"
        var description: String = ""
        /// A key made when the form is shown, so a double submit records one complaint.
        var key: String = ""
        var _csrf: String?
    }

    struct IntakePage: Encodable {
        var chrome: PageChrome
        var form: IntakeForm
        var errors: [String]
        var categories: [Choice]
        var subcategories: [SubcategoryGroup]
        var priorities: [Choice]
        var channels: [Choice]
    }

    @Sendable func form(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        try actor.require(.recordComplaint)
        var form = IntakeForm()
        form.key = UUID().uuidString
        return try await render(req, actor: actor, form: form, errors: [])
    }

    @Sendable func submit(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        try actor.require(.recordComplaint)
        let form = try req.content.decode(IntakeForm.self)
        guard let channel = KesuCore.Channel(rawValue: form.channel) else { throw KesuError.invalid("Unknown channel.") }
        // A sub-category chosen with the category left on "auto" names its category (in the intake use case).
        let category = ComplaintCategory(rawValue: form.category)
        let subcategory = (form.subcategory ?? "").isEmpty ? nil : form.subcategory
        let draft = ComplaintDraft(
            channel: channel, customerName: form.name, customerPhone: form.phone,
            customerEmail: form.email.isEmpty ? nil : form.email,
            waybillNumbers: form.waybill.split(whereSeparator: { $0.isWhitespace || ",，;；".contains($0) }).map(String.init),
            description: form.description, category: category,
            subcategory: subcategory, priority: Priority(rawValue: form.priority))
        do {
            let complaint = try await ComplaintService(services: req.application.kesu, db: req.db)
                .record(draft, idempotencyKey: form.key.isEmpty ? nil : "web-" + form.key, by: actor)
            return req.redirect(to: Pages.withFlash("/complaints/\(complaint.number)", "created"))
        } catch let error as KesuError where error.isBadInput {
            let problems = Self.problems(error, in: WebSession.language(req))
            return try await render(req, actor: actor, form: form, errors: problems.isEmpty
                ? [WebErrorMiddleware.message(error, in: WebSession.language(req))] : problems)
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    /// What the form shows beside the phone and waybill fields, as JSON for intake.js.
    /// As the agent types the description: the two likeliest categories with their confidence, and why the rules
    /// would make it urgent — the suggestion the form offers to take in one click. Nothing is stored.
    @Sendable func suggest(req: Request) async throws -> Response {
        let actor = try RequestContext.requireActor()
        try actor.require(.viewComplaints)
        struct Suggested: Content {
            struct Option: Content { var value: String, label: String, confidence: String }
            var options: [Option] = []
            var sure: Bool = false
            var urgent: [String] = []
        }
        let language = WebSession.language(req)
        let text = String(((try? req.query.get(String.self, at: "text")) ?? "").prefix(IntakeLimits.descriptionLength.upperBound))
        var out = Suggested()
        if !text.trimmed.isEmpty {
            let s = req.application.kesu.triage.classify(text)
            out.options = s.topTwo.map {
                .init(value: $0.category.rawValue, label: language.name(of: $0.category),
                      confidence: String(format: "%.0f%%", $0.confidence * 100))
            }
            out.sure = s.category != nil
            out.urgent = PriorityRules.assess(requested: nil, channel: .phone, description: text, isRepeat: false,
                                              itemKinds: []).reasons
        }
        return try await out.encodeResponse(for: req)
    }

    @Sendable func lookup(req: Request) async throws -> Response {
        let actor = try RequestContext.requireActor()
        try actor.require(.viewComplaints)
        struct Found: Content {
            struct Earlier: Content { var number: String, status: String, category: String, receivedAt: String, open: Bool }
            struct Scan: Content { var at: String, text: String }
            var customer: String?
            var complaints: [Earlier] = []
            var shipment: String?
            var tracking: [Scan] = []
            var openOnWaybill: [Earlier] = []
        }
        let language = WebSession.language(req)
        let format = PageFormat(language: language, timeZone: req.application.kesu.config.timeZone)
        func earlier(_ row: ComplaintRow) -> Found.Earlier {
            let status = ComplaintStatus(rawValue: row.status) ?? .received
            return .init(number: row.number, status: language.name(of: status),
                         category: row.category.flatMap(ComplaintCategory.init(rawValue:)).map(language.name(of:)) ?? "—",
                         receivedAt: format.time(row.receivedAt), open: status.isOpen)
        }
        var found = Found()
        if let phone = (try? req.query.get(String.self, at: "phone")).flatMap(PhoneNumber.init),
           let customer = try await CustomerModel.query(on: req.db).filter(\.$phone == phone.digits).first() {
            var query = ComplaintListQuery()
            query.scope = AccessPolicy.scope(of: actor.principal)
            query.customerID = customer.id
            query.limit = 10
            found.complaints = try await query.run(on: req.db).rows.map(earlier)
            // The name only when the caller may see one of the customer's complaints: an outlet learns nothing of
            // a customer who complained only about another outlet.
            if !found.complaints.isEmpty { found.customer = customer.name }
        }
        if let waybill = (try? req.query.get(String.self, at: "waybill")).flatMap({ WaybillNumber.normalise($0.trimmed) }) {
            if let shipment = try await ShipmentService.load(waybills: [waybill], on: req.db).first {
                found.shipment = "\(shipment.origin?.name ?? "—") → \(shipment.destination?.name ?? "—") · \(shipment.itemKind)"
                found.tracking = shipment.events.sorted { $0.at > $1.at }.map {
                    .init(at: format.time($0.at), text: [$0.kind, $0.description].compactMap { $0 }.joined(separator: " "))
                }
            }
            var query = ComplaintListQuery()
            query.scope = AccessPolicy.scope(of: actor.principal)
            query.complaintIDs = try await ComplaintStore.complaintIDs(waybill: waybill, on: req.db)
            query.limit = 10
            found.openOnWaybill = try await query.run(on: req.db).rows.map(earlier).filter(\.open)
        }
        return try await found.encodeResponse(for: req)
    }

    /// The intake's fields as the API names them, and the form's label for each.
    static let labels = ["customer.name": "name", "customer.phone": "phone", "customer.email": "email",
                         "waybillNumbers": "waybill", "description": "description", "category": "category",
                         "subcategory": "subcategory", "channel": "channel", "priority": "priority"]

    /// What is wrong, field by field, in the form's own words and the reader's language.
    static func problems(_ error: KesuError, in language: Language) -> [String] {
        error.details.sorted { $0.key < $1.key }.flatMap { field, problems in
            guard let label = labels[field] else {
                return WebErrorMiddleware.problems(KesuError(error.code, error.message, details: [field: problems]), in: language)
            }
            return [language.text("form_problem", ["field": language.text(label), "problem": language.text("invalid." + label)])]
        }
    }

    private func render(_ req: Request, actor: Actor, form: IntakeForm, errors: [String]) async throws -> View {
        let language = WebSession.language(req)
        let t = language.strings
        func choices<T: RawRepresentable>(_ all: [T], _ selected: String, _ label: (T) -> String, any: Bool) -> [Choice]
        where T.RawValue == String {
            (any ? [Choice(value: "", label: t["any"] ?? "", selected: selected.isEmpty)] : [])
                + all.map { Choice(value: $0.rawValue, label: label($0), selected: $0.rawValue == selected) }
        }
        let page = IntakePage(
            chrome: Pages.chrome(req, title: t["new_complaint"] ?? "", actor: actor), form: form, errors: errors,
            categories: choices(ComplaintCategory.allCases, form.category, language.name(of:), any: true),
            subcategories: SubcategoryGroup.all(try await SubcategoryStore.all(on: req.db), selected: form.subcategory,
                                                language: language),
            priorities: choices(Priority.allCases, form.priority, \.rawValue, any: true),
            channels: choices(KesuCore.Channel.allCases, form.channel, \.rawValue, any: false))
        return try await req.view.render("complaints/new", page)
    }
}
