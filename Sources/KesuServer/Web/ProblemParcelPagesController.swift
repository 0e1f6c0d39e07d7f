import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// 问题件 on the staff pages, built for a courier's phone first: the list (overdue first), registering one, and a
/// parcel's page with its follow-ups, the follow-up form and settling.
struct ProblemParcelPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("parcels", use: list)
        routes.get("parcels", "new", use: form)
        routes.post("parcels", use: register)
        routes.get("parcels", ":id", use: show)
        routes.post("parcels", ":id", "follow-ups", use: followUp)
        routes.post("parcels", ":id", "settle", use: settle)
    }

    struct ParcelRow: Encodable {
        var id, waybill, reason, courier, outlet, opened, age, lastContact: String
        var followUps: Int
        /// `late` (lapsed), `warn` (a follow-up is due) or `ok`.
        var state: String
        var stateText: String
        var settled: String?
    }

    struct ListPage: Encodable {
        var chrome: PageChrome
        var tabs: [Choice]
        var rows: [ParcelRow]
        var openCount: Int
        var lapsedCount: Int
        var canRegister: Bool
        var done: String?
    }

    static func service(_ req: Request) -> ProblemParcelService {
        ProblemParcelService(services: req.application.kesu, db: req.db)
    }

    static func reasonName(_ code: String, _ reasons: [ProblemReasonRow], _ language: Language) -> String {
        reasons.first { $0.code == code }.map { language.pick(zh: $0.nameZh, en: $0.nameEn) } ?? code
    }

    static func row(_ p: ProblemParcelRow, reasons: [ProblemReasonRow], language: Language, format: PageFormat, now: Date)
        -> ParcelRow
    {
        let rule = p.rule
        let state: String, text: String
        if let settled = p.settledAt {
            state = "ok"
            text = language.text("parcel_settled_as", ["outcome": language.strings["outcome_parcel." + (p.outcome ?? "")] ?? "",
                                                       "time": format.time(settled)])
        } else if rule.lapsed(by: now) {
            state = "late"
            text = language.text("parcel_lapsed_for", ["time": format.duration(now.timeIntervalSince(p.lapseAt))])
        } else {
            state = rule.followUpDue <= now ? "warn" : "ok"
            text = language.text(state == "warn" ? "parcel_follow_up_due" : "parcel_lapses_in",
                                 ["time": format.duration(p.lapseAt.timeIntervalSince(now))])
        }
        return ParcelRow(id: p.id.uuidString, waybill: p.waybill, reason: reasonName(p.reasonCode, reasons, language),
                         courier: p.courierName ?? "—", outlet: p.outletName, opened: format.time(p.openedAt),
                         age: format.duration(now.timeIntervalSince(p.openedAt)), lastContact: format.time(p.lastContactAt),
                         followUps: p.followUps, state: state, stateText: text,
                         settled: p.settledAt.map(format.time))
    }

    @Sendable func list(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        try actor.require(.viewProblemParcels)
        let language = WebSession.language(req)
        let t = language.strings
        let state = req.query[String.self, at: "state"].flatMap(ProblemParcelState.init(rawValue:)) ?? .open
        let db = req.db
        let now = req.application.kesu.clock.now()
        let scope = AccessPolicy.scope(of: actor.principal)
        async let rowsRead = Self.service(req).list(state, for: actor)
        async let reasonsRead = ProblemParcelStore.reasons(on: db)
        async let countsRead = ProblemParcelStore.openCounts(scope: scope, now: now, on: db)
        let (rows, reasons, counts) = try await (rowsRead, reasonsRead, countsRead)
        let format = PageFormat(language: language, timeZone: req.application.kesu.config.timeZone)
        return try await req.view.render("parcels/list", ListPage(
            chrome: Pages.chrome(req, title: t["problem_parcels"] ?? "", actor: actor),
            tabs: ProblemParcelState.allCases.map {
                Choice(value: $0.rawValue, label: t["parcels_tab." + $0.rawValue] ?? $0.rawValue, selected: $0 == state)
            },
            rows: rows.map { Self.row($0, reasons: reasons, language: language, format: format, now: now) },
            openCount: counts.open, lapsedCount: counts.lapsed, canRegister: actor.may(.registerProblemParcels),
            done: Pages.flash(req, language: language)))
    }

    struct FormPage: Encodable {
        var chrome: PageChrome
        var reasons: [Choice]
        var couriers: [Choice]
        var outlets: [Choice]
        /// A courier registers for themselves; an outlet picks one of its couriers; HQ and the region pick the outlet.
        var asCourier: Bool
        var waybill: String
    }

    @Sendable func form(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        try actor.require(.registerProblemParcels)
        let language = WebSession.language(req)
        let t = language.strings
        let units = try await OrgStore.all(on: req.db).filter { actor.unitPath.contains(UnitPath(rawValue: $0.path)) }
        let reasons = try await ProblemParcelStore.reasons(on: req.db).filter(\.active)
        let outlets = actor.unitKind == .outlet || actor.unitKind == .transferCentre || actor.unitKind == .courier ? []
            : units.filter { [UnitKind.outlet.rawValue, UnitKind.transferCentre.rawValue].contains($0.kind) }
        return try await req.view.render("parcels/new", FormPage(
            chrome: Pages.chrome(req, title: t["register_parcel"] ?? "", actor: actor),
            reasons: reasons.map { Choice(value: $0.code, label: language.pick(zh: $0.nameZh, en: $0.nameEn), selected: false) },
            couriers: [Choice(value: "", label: t["none"] ?? "", selected: true)]
                + units.filter { $0.kind == UnitKind.courier.rawValue }
                    .map { Choice(value: $0.code, label: "\($0.name) (\($0.code))", selected: false) },
            outlets: outlets.map { Choice(value: $0.code, label: "\($0.name) (\($0.code))", selected: false) },
            asCourier: actor.unitKind == .courier,
            waybill: String((req.query[String.self, at: "waybill"] ?? "").prefix(32))))
    }

    @Sendable func register(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var waybill: String?, reasonCode: String?, courier: String?, outlet: String?, note: String? }
        let form = try req.content.decode(Form.self)
        let row = try await Self.service(req).register(ProblemParcelDraft(
            waybill: form.waybill ?? "", reason: form.reasonCode ?? "", courier: form.courier, outlet: form.outlet,
            note: form.note), by: actor)
        return req.redirect(to: Pages.withFlash("/parcels/\(row.id.uuidString)", "parcel_registered"))
    }

    struct EntryRow: Encodable { var at, who, kind, text: String }

    struct ShowPage: Encodable {
        var chrome: PageChrome
        var parcel: ParcelRow
        var note: String
        var complaint: String?
        var neglected: Bool
        var entries: [EntryRow]
        var canWork: Bool
        var canFine: Bool
        var open: Bool
        var methods: [Choice]
        var outcomes: [Choice]
        var done: String?
    }

    static func id(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else {
            throw KesuError.notFound("No such problem parcel.")
        }
        return id
    }

    @Sendable func show(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        let language = WebSession.language(req)
        let t = language.strings
        let service = Self.service(req)
        let parcel = try await service.parcel(try Self.id(req), for: actor)
        let entries = try await service.entries(of: parcel.id)
        let reasons = try await ProblemParcelStore.reasons(on: req.db)
        let format = PageFormat(language: language, timeZone: req.application.kesu.config.timeZone)
        let now = req.application.kesu.clock.now()
        let rows = entries.reversed().map { e in
            let how = e.method.map { t["contact." + $0] ?? t["outcome_parcel." + $0] ?? $0 }
            let next = e.nextAttemptAt.map { language.text("parcel_next_attempt", ["time": format.time($0)]) }
            return EntryRow(at: format.time(e.at), who: e.byName == "Kesu" ? (t["system"] ?? "Kesu") : e.byName,
                            kind: t["parcel_entry." + e.kind] ?? e.kind,
                            text: [how, e.note, next].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · "))
        }
        let canWork = actor.may(.workProblemParcels, on: .owned(by: parcel.ownerPath, complaintID: parcel.complaintID))
        return try await req.view.render("parcels/show", ShowPage(
            chrome: Pages.chrome(req, title: (t["problem_parcel"] ?? "") + " " + parcel.waybill, actor: actor),
            parcel: Self.row(parcel, reasons: reasons, language: language, format: format, now: now),
            note: parcel.note ?? "", complaint: parcel.complaintNumber, neglected: parcel.neglected, entries: rows,
            canWork: canWork, canFine: actor.may(.issueFines), open: parcel.settledAt == nil,
            methods: ContactMethod.allCases.map { Choice(value: $0.rawValue, label: t["contact." + $0.rawValue] ?? $0.rawValue,
                                                         selected: $0 == .phone) },
            outcomes: ProblemOutcome.allCases.map {
                Choice(value: $0.rawValue, label: t["outcome_parcel." + $0.rawValue] ?? $0.rawValue, selected: false)
            },
            done: Pages.flash(req, language: language)))
    }

    @Sendable func followUp(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var method: String?, note: String?, nextAttemptAt: String? }
        let form = try req.content.decode(Form.self)
        let format = PageFormat(language: WebSession.language(req), timeZone: req.application.kesu.config.timeZone)
        var next: Date?
        if let text = form.nextAttemptAt, !text.isEmpty {
            guard let time = format.parseInputTime(text) else {
                throw KesuError.invalid("The next attempt must be a date and time.", fields: ["nextAttemptAt": ["malformed"]])
            }
            next = time
        }
        let id = try Self.id(req)
        _ = try await Self.service(req).followUp(id, ProblemFollowUp(method: form.method ?? "", note: form.note ?? "",
                                                                     nextAttemptAt: next), by: actor)
        return req.redirect(to: Pages.withFlash("/parcels/\(id.uuidString)", "parcel_followed_up"))
    }

    @Sendable func settle(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var outcome: String?, note: String?, complaint: String? }
        let form = try req.content.decode(Form.self)
        let id = try Self.id(req)
        _ = try await Self.service(req).settle(id, as: form.outcome ?? "", note: form.note,
                                               complaint: form.complaint, by: actor)
        return req.redirect(to: Pages.withFlash("/parcels/\(id.uuidString)", "parcel_settled"))
    }
}
