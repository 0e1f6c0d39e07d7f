import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// 恶意投诉复核 on the staff pages: a customer's signals with their evidence and reviews, the forms to open and decide a
/// review, ask for a listing to be lifted and lift it; and the reviewers' queue.
struct CustomerReviewPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("customer-reviews", use: list)
        routes.get("customers", ":id", "review", use: show)
        routes.post("customers", ":id", "review", use: open)
        routes.post("customer-reviews", ":id", "decision", use: decide)
        routes.post("customer-reviews", ":id", "lift-requests", use: askLift)
        routes.post("customer-reviews", ":id", "lift", use: lift)
    }

    /// A signal in the reader's words, with its evidence (and never shown to the customer).
    static func text(_ s: MaliceSignal, _ language: Language) -> String {
        let parts = s.detail.split(separator: "/").map(String.init)
        var values: [String: String] = ["n": s.detail, "quote": s.detail]
        if parts.count == 2 {
            values["a"] = parts[0]
            values["b"] = parts[1]
            values["claimed"] = Int(parts[0]).map(FineMoney.display) ?? parts[0]
            values["cap"] = Int(parts[1]).map(FineMoney.display) ?? parts[1]
        }
        let text = language.text("signal." + s.kind.rawValue, values)
        return s.complaints.isEmpty ? text : text + " (" + s.complaints.prefix(6).joined(separator: ", ") + ")"
    }

    struct ReviewItem: Encodable {
        var id, state, stateCode, opened, reason: String
        var decided: String?
        var expires: String?
        var signals: [String]
        var entries: [String]
        var isOpen, isListed: Bool
    }

    struct ShowPage: Encodable {
        var chrome: PageChrome
        var customerID, customerName: String
        var signals: [String]
        var listed: Bool
        var reviews: [ReviewItem]
        var canReview, canAskLift, hasOpen: Bool
        var expiresDefault: String
        var done: String?
    }

    static func id(_ req: Request, _ what: String) throws -> UUID {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw KesuError.notFound("No such \(what).") }
        return id
    }

    @Sendable func show(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        try actor.require(.viewComplaints)
        let language = WebSession.language(req)
        let t = language.strings
        let service = CustomerReviewService(services: req.application.kesu, db: req.db)
        let id = try Self.id(req, "customer")
        let customer = try await service.customer(id, for: actor)
        let signals = try await service.signals(of: id)
        let reviews = try await CustomerReviewStore.reviews(of: id, on: req.db)
        let format = PageFormat(language: language, timeZone: req.application.kesu.config.timeZone)
        let now = req.application.kesu.clock.now()
        var items: [ReviewItem] = []
        for r in reviews {
            let entries = try await CustomerReviewStore.entries(of: r.id, on: req.db)
            items.append(ReviewItem(
                id: r.id.uuidString, state: t["review_state." + r.state] ?? r.state, stateCode: r.state,
                opened: "\(format.time(r.openedAt)) \(r.openedByName)", reason: r.openedReason,
                decided: r.decidedAt.map { "\(format.time($0)) \(r.decidedByName ?? "") · \(r.decisionReason ?? "")" },
                expires: r.expiresAt.map(format.time), signals: r.signals.map { Self.text($0, language) },
                entries: entries.reversed().map { e in
                    "\(format.time(e.at)) \(t["review_entry." + e.kind] ?? e.kind) \(e.byName)" + (e.note.map { " — \($0)" } ?? "")
                },
                isOpen: r.state == "open", isListed: r.lists(at: now)))
        }
        return try await req.view.render("customers/review", ShowPage(
            chrome: Pages.chrome(req, title: (t["customer_review"] ?? "") + " " + customer.name, actor: actor),
            customerID: id.uuidString, customerName: customer.name, signals: signals.map { Self.text($0, language) },
            listed: items.contains { $0.isListed }, reviews: items, canReview: actor.may(.reviewCustomers),
            canAskLift: actor.may(.askBlacklistLift), hasOpen: items.contains { $0.isOpen },
            expiresDefault: String(ISO8601DateFormatter().string(from: now.addingTimeInterval(90 * 86_400)).prefix(10)),
            done: Pages.flash(req, language: language)))
    }

    struct ListPage: Encodable {
        struct Row: Encodable { var customerID, customer, state, opened, reason: String; var signals: Int }
        var chrome: PageChrome
        var tabs: [Choice]
        var rows: [Row]
    }

    @Sendable func list(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        try actor.require(.reviewCustomers)
        let language = WebSession.language(req)
        let t = language.strings
        let state = req.query[String.self, at: "state"].flatMap { ["open", "listed", "dismissed", "lifted"].contains($0) ? $0 : nil }
            ?? "open"
        let rows = try await CustomerReviewStore.list(state: state, limit: 200, on: req.db)
        let format = PageFormat(language: language, timeZone: req.application.kesu.config.timeZone)
        return try await req.view.render("customers/reviews", ListPage(
            chrome: Pages.chrome(req, title: t["customer_reviews"] ?? "", actor: actor),
            tabs: ["open", "listed", "dismissed", "lifted"].map {
                Choice(value: $0, label: t["review_state." + $0] ?? $0, selected: $0 == state)
            },
            rows: rows.map {
                .init(customerID: $0.customerID.uuidString, customer: $0.customerName, state: t["review_state." + $0.state] ?? $0.state,
                      opened: "\(format.time($0.openedAt)) \($0.openedByName)", reason: $0.openedReason, signals: $0.signals.count)
            }))
    }

    @Sendable func open(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var reason: String? }
        let id = try Self.id(req, "customer")
        _ = try await CustomerReviewService(services: req.application.kesu, db: req.db)
            .open(id, reason: try req.content.decode(Form.self).reason ?? "", by: actor)
        return req.redirect(to: Pages.withFlash("/customers/\(id.uuidString)/review", "review_opened"))
    }

    @Sendable func decide(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var decision, reason, evidence, expiresOn: String? }
        let form = try req.content.decode(Form.self)
        let format = PageFormat(language: WebSession.language(req), timeZone: req.application.kesu.config.timeZone)
        var expires: Date?
        if let day = form.expiresOn?.trimmed, !day.isEmpty {
            guard let date = format.parseInputTime(day + "T23:59") else {
                throw KesuError.invalid("The expiry is a date.", fields: ["expiresAt": ["malformed"]])
            }
            expires = date
        }
        let review = try await CustomerReviewService(services: req.application.kesu, db: req.db).decide(
            try Self.id(req, "review"), list: form.decision == "list", reason: form.reason ?? "", evidence: form.evidence ?? "",
            expiresAt: expires, by: actor)
        return req.redirect(to: Pages.withFlash("/customers/\(review.customerID.uuidString)/review", "review_decided"))
    }

    @Sendable func askLift(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var reason: String? }
        let service = CustomerReviewService(services: req.application.kesu, db: req.db)
        let id = try Self.id(req, "review")
        try await service.askLift(id, reason: try req.content.decode(Form.self).reason ?? "", by: actor)
        let review = try await service.review(id, for: actor)
        return req.redirect(to: Pages.withFlash("/customers/\(review.customerID.uuidString)/review", "lift_asked"))
    }

    @Sendable func lift(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var reason: String? }
        let review = try await CustomerReviewService(services: req.application.kesu, db: req.db)
            .lift(try Self.id(req, "review"), reason: try req.content.decode(Form.self).reason ?? "", by: actor)
        return req.redirect(to: Pages.withFlash("/customers/\(review.customerID.uuidString)/review", "lifted"))
    }
}
