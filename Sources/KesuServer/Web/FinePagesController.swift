import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// 考核与申诉 on the staff pages: the list (what waits for you first), issuing a fine, a fine's page — the same evidence
/// and timeline for the fined unit, the issuer and the reviewers — with the form each side may use now, and the
/// evidence files.
struct FinePagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("fines", use: list)
        routes.get("fines", "new", use: form)
        routes.on(.POST, "fines", body: .collect(maxSize: Self.uploadLimit), use: issue)
        routes.get("fines", ":id", use: show)
        routes.on(.POST, "fines", ":id", "appeal", body: .collect(maxSize: Self.uploadLimit), use: appeal)
        routes.on(.POST, "fines", ":id", "second-review", body: .collect(maxSize: Self.uploadLimit), use: secondReview)
        routes.post("fines", ":id", "accept", use: accept)
        routes.post("fines", ":id", "decision", use: decide)
        routes.get("fines", ":id", "evidence", ":file", use: evidence)
    }

    /// Up to ten files of 20 MB would be too much for one request: a form carries at most 25 MB.
    static let uploadLimit = ByteCount(value: 25 * 1024 * 1024)

    struct FineListRow: Encodable {
        var id, number, unit, rule, amount, issued, status: String
        var deadline: String?
        /// `late` (overdue review), `warn` (deadline within a day) or `ok`.
        var state: String
        var suspended: Bool
    }

    struct ListPage: Encodable {
        var chrome: PageChrome
        var tabs: [Choice]
        var rows: [FineListRow]
        var canIssue: Bool
        var canReview: Bool
        var done: String?
    }

    static func service(_ req: Request) -> FineService { FineService(services: req.application.kesu, db: req.db) }

    static func statusText(_ f: FineRow, _ language: Language) -> String {
        let t = language.strings
        var text = t["fine_status." + f.status.rawValue] ?? f.status.rawValue
        if let d = f.decision { text += " · " + (t["fine_decision." + d.rawValue] ?? d.rawValue) }
        return text
    }

    static func row(_ f: FineRow, language: Language, format: PageFormat, now: Date) -> FineListRow {
        var state = "ok"
        var deadline: String?
        if f.overdueAt != nil && f.status != .final {
            state = "late"
            deadline = language.text("fine_overdue")
        } else if let due = f.deadline {
            state = due.timeIntervalSince(now) < 86_400 ? "warn" : "ok"
            deadline = language.text("fine_window_left", [
                "window": language.strings["fine_window." + (f.window?.rawValue ?? "")] ?? "",
                "time": format.duration(max(0, due.timeIntervalSince(now))),
            ])
        }
        return FineListRow(id: f.id.uuidString, number: f.number, unit: "\(f.unitName) (\(f.unitCode))",
                           rule: language.pick(zh: f.ruleNameZh, en: f.ruleNameEn), amount: FineMoney.display(f.dueFen),
                           issued: format.time(f.issuedAt), status: statusText(f, language), deadline: deadline, state: state,
                           suspended: f.suspended)
    }

    @Sendable func list(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        try actor.require(.viewFines)
        let language = WebSession.language(req)
        let t = language.strings
        let state = req.query[String.self, at: "state"].flatMap(FineListState.init(rawValue:))
            ?? (actor.may(.reviewFines) ? .review : .waiting)
        let rows = try await Self.service(req).list(state, for: actor)
        let format = PageFormat(language: language, timeZone: req.application.kesu.config.timeZone)
        let now = req.application.kesu.clock.now()
        return try await req.view.render("fines/list", ListPage(
            chrome: Pages.chrome(req, title: t["fines"] ?? "", actor: actor),
            tabs: FineListState.allCases.map {
                Choice(value: $0.rawValue, label: t["fines_tab." + $0.rawValue] ?? $0.rawValue, selected: $0 == state)
            },
            rows: rows.map { Self.row($0, language: language, format: format, now: now) },
            canIssue: actor.may(.issueFines), canReview: actor.may(.reviewCustomers), done: Pages.flash(req, language: language)))
    }

    struct FormPage: Encodable {
        var chrome: PageChrome
        var units: [Choice]
        var rules: [Choice]
        var kinds: [Choice]
        var complaint: String
        var parcel: String
    }

    static func kinds(_ language: Language) -> [Choice] {
        FineService.evidenceKinds.map {
            Choice(value: $0, label: language.strings["evidence_kind." + $0] ?? $0, selected: $0 == "photo")
        }
    }

    @Sendable func form(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        try actor.require(.issueFines)
        let language = WebSession.language(req)
        let fineable: Set<String> = [UnitKind.outlet.rawValue, UnitKind.transferCentre.rawValue, UnitKind.courier.rawValue]
        let units = try await OrgStore.all(on: req.db).filter {
            fineable.contains($0.kind) && actor.unitPath.contains(UnitPath(rawValue: $0.path))
        }
        let rules = try await FineStore.rules(on: req.db).filter { $0.rule.active && $0.rule.kind == .fine }
        let all = try await FineStore.rules(on: req.db).map(\.rule)
        return try await req.view.render("fines/new", FormPage(
            chrome: Pages.chrome(req, title: language.strings["issue_fine"] ?? "", actor: actor),
            units: units.map { Choice(value: $0.code, label: "\($0.name) (\($0.code))", selected: false) },
            rules: rules.map { r in
                let amount = (try? r.rule.amount(quantity: 1, among: all)).map { FineMoney.display($0) } ?? ""
                return Choice(value: r.rule.code, label: language.pick(zh: r.nameZh, en: r.nameEn) + " · " + amount, selected: false)
            },
            kinds: Self.kinds(language),
            complaint: String((req.query[String.self, at: "complaint"] ?? "").prefix(20)),
            parcel: req.query[String.self, at: "parcel"].flatMap(UUID.init(uuidString:))?.uuidString ?? ""))
    }

    /// The files of a form (`files[]`), typed by its `kind`; an empty file input sends nothing.
    struct Files: Decodable {
        var files: [File]?
        var file: File?
        var kind: String?

        func evidence() -> [FineEvidenceFile] {
            ((files ?? []) + (file.map { [$0] } ?? [])).filter { $0.data.readableBytes > 0 || !$0.filename.isEmpty }.map {
                FineEvidenceFile(kind: kind ?? "other", file: AttachmentsController.evidence($0))
            }
        }
    }

    @Sendable func issue(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var unit, rule, quantity, reason, complaint, parcel: String? }
        let form = try req.content.decode(Form.self)
        let files = try req.content.decode(Files.self)
        var parcel: UUID?
        if let text = form.parcel?.trimmed, !text.isEmpty {
            guard let id = UUID(uuidString: text) else {
                throw KesuError.invalid("The problem parcel is not one.", fields: ["parcel": ["malformed"]])
            }
            parcel = id
        }
        guard let quantity = Int(form.quantity?.trimmed ?? "1") else {
            throw KesuError.invalid("The quantity is a whole number.", fields: ["quantity": ["malformed"]])
        }
        let row = try await Self.service(req).issue(FineDraft(
            unit: form.unit ?? "", rule: form.rule ?? "", quantity: quantity, reason: form.reason ?? "",
            complaint: form.complaint, parcel: parcel, evidence: files.evidence()), by: actor)
        return req.redirect(to: Pages.withFlash("/fines/\(row.id.uuidString)", "fine_issued"))
    }

    static func id(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw KesuError.notFound("No such fine.") }
        return id
    }

    @Sendable func appeal(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var statement: String? }
        let id = try Self.id(req)
        _ = try await Self.service(req).appeal(id, statement: try req.content.decode(Form.self).statement ?? "",
                                               evidence: try req.content.decode(Files.self).evidence(), by: actor)
        return req.redirect(to: Pages.withFlash("/fines/\(id.uuidString)", "fine_appealed"))
    }

    @Sendable func secondReview(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var statement: String? }
        let id = try Self.id(req)
        _ = try await Self.service(req).askSecondReview(id, statement: try req.content.decode(Form.self).statement ?? "",
                                                        evidence: try req.content.decode(Files.self).evidence(), by: actor)
        return req.redirect(to: Pages.withFlash("/fines/\(id.uuidString)", "fine_second_review_asked"))
    }

    @Sendable func accept(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        let id = try Self.id(req)
        _ = try await Self.service(req).accept(id, by: actor)
        return req.redirect(to: Pages.withFlash("/fines/\(id.uuidString)", "fine_accepted"))
    }

    @Sendable func decide(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var decision, amount, reason: String? }
        let form = try req.content.decode(Form.self)
        var amount: Int?
        if form.decision == FineDecision.reduce.rawValue {
            guard let fen = form.amount.flatMap(FineMoney.fen) else {
                throw KesuError.invalid("Give the reduced amount in yuan.", fields: ["amount": ["malformed"]])
            }
            amount = fen
        }
        let id = try Self.id(req)
        _ = try await Self.service(req).decide(id, form.decision ?? "", amountFen: amount, reason: form.reason ?? "", by: actor)
        return req.redirect(to: Pages.withFlash("/fines/\(id.uuidString)", "fine_decided"))
    }

    @Sendable func evidence(req: Request) async throws -> Response {
        let actor = try RequestContext.requireActor()
        let fine = try await Self.service(req).fine(try Self.id(req), for: actor)
        guard let id = req.parameters.get("file").flatMap(UUID.init(uuidString:)),
              let file = try await FineStore.evidenceFile(id, on: req.db), file.fineID == fine.id, let data = file.data
        else { throw KesuError.notFound("No such file.") }
        let model = AttachmentModel()
        model.fileName = file.fileName
        model.contentType = file.contentType
        model.data = data
        return AttachmentsController.response(for: model)
    }
}
