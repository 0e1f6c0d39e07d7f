import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// 管理 › 时限规则, 工作日历 and 赔偿规则 — admins edit the SLA policies, the business calendar and the compensation
/// rules.
struct AdminRulesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin")
        admin.get("sla", use: policies)
        admin.post("sla", use: savePolicy)
        admin.post("sla", ":id", "delete", use: deletePolicy)
        admin.get("calendar", use: calendar)
        admin.post("calendar", "hours", use: saveHours)
        admin.post("calendar", "days", use: saveDay)
        admin.get("compensation", use: compensation)
        admin.post("compensation", use: addCompensation)
        admin.get("root-causes", use: rootCauses)
        admin.post("root-causes", use: saveRootCause)
    }

    struct Flag: Encodable { var value, label: String; var on: Bool }
    struct PolicyForm: Encodable {
        var id: String
        var categories, priorities, channels: [Choice]
        /// The first-reply and resolution spans in hours and minutes.
        var firstReplyHours, firstReplyMinutes, resolutionHours, resolutionMinutes, regulatorDays, warnPercent: Int
        var businessTime: Bool
        var pauses, warnActions, breachActions: [Flag]
        var general: Bool
        var isNew = false
    }
    struct DayRow: Encodable { var day, kind, name: String; var workday: Bool }
    struct HoursRow: Encodable { var weekday: Int; var label, hours: String }
    struct RulesRow: Encodable { var version: Int; var from, multiple, cap, by: String; var inForce: Bool }
    struct Page: Encodable {
        var chrome: PageChrome
        var section: String
        /// Every policy, then a blank one to add.
        var policies: [PolicyForm] = []
        var hours: [HoursRow] = []
        var days: [DayRow] = []
        var timeZone = ""
        var compensation: [RulesRow] = []
        var tomorrow = ""
        var causes: [CauseRow] = []
    }
    struct CauseRow: Encodable { var code, name: String; var systemic, active: Bool }

    private func requireAdmin() throws -> Actor {
        let actor = try RequestContext.requireActor()
        try actor.require(.manageClocks)
        return actor
    }

    private func sla(_ req: Request) -> SLAService { SLAService(services: req.application.kesu, db: req.db) }

    @Sendable func policies(req: Request) async throws -> View {
        let actor = try requireAdmin()
        let language = WebSession.language(req)
        func form(_ id: String, _ rule: PolicyRule) -> PolicyForm {
            let p = rule.policy
            func choices<T: RawRepresentable>(_ all: [T], _ selected: T?, _ label: (T) -> String) -> [Choice]
            where T.RawValue == String {
                [Choice(value: "", label: language.strings["any"] ?? "", selected: selected == nil)]
                    + all.map { Choice(value: $0.rawValue, label: label($0), selected: $0.rawValue == selected?.rawValue) }
            }
            func flags(_ set: Set<EscalationAction>) -> [Flag] {
                EscalationAction.allCases.map { Flag(value: $0.rawValue, label: language.name(of: $0), on: set.contains($0)) }
            }
            return PolicyForm(
                id: id, categories: choices(ComplaintCategory.allCases, rule.category, language.name(of:)),
                priorities: choices(Priority.allCases, rule.priority, \.rawValue),
                channels: choices(KesuCore.Channel.allCases, rule.channel, \.rawValue),
                firstReplyHours: Int(p.firstReply / 3_600), firstReplyMinutes: Int(p.firstReply / 60) % 60,
                resolutionHours: Int(p.resolution / 3_600), resolutionMinutes: Int(p.resolution / 60) % 60,
                regulatorDays: Int(p.regulator / 86_400), warnPercent: Int((p.warnFraction * 100).rounded()),
                businessTime: p.businessTime,
                pauses: ComplaintStatus.allCases.filter { $0 != .closed }.map {
                    Flag(value: $0.rawValue, label: language.name(of: $0), on: p.pauseStatuses.contains($0))
                },
                warnActions: flags(p.warnActions), breachActions: flags(p.breachActions),
                general: rule.category == nil && rule.priority == nil && rule.channel == nil)
        }
        let rows = try await sla(req).policies()
        var page = Page(chrome: Pages.chrome(req, title: language.strings["sla"] ?? "", actor: actor), section: "sla")
        var blank = form("", PolicyRule(id: "", policy: .standard))
        blank.general = false
        blank.isNew = true
        page.policies = rows.map { form($0.id.uuidString, $0.rule) } + [blank]
        return try await req.view.render("admin/rules", page)
    }

    @Sendable func savePolicy(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try requireAdmin()
        struct Form: Decodable {
            var id: String?, category: String?, priority: String?, channel: String?
            var firstReplyHours: Int?, firstReplyMinutes: Int?, resolutionHours: Int?, resolutionMinutes: Int?
            var regulatorDays: Int?, warnPercent: Int?
            var businessTime: String?
            var pause: [String]?, warn: [String]?, breach: [String]?
        }
        let form = try req.content.decode(Form.self)
        func pick<T: RawRepresentable>(_ text: String?, _: T.Type) throws -> T? where T.RawValue == String {
            guard let text, !text.isEmpty else { return nil }
            guard let value = T(rawValue: text) else { throw KesuError.invalid("Unknown value \(text.prefix(30)).") }
            return value
        }
        // A span is typed as hours and minutes (0–59); the policy's own rules then judge it.
        func span(_ hours: Int?, _ minutes: Int?, _ field: String) throws -> TimeInterval {
            let h = hours ?? 0, m = minutes ?? 0
            guard (0...8_784).contains(h), (0...59).contains(m) else {
                throw KesuError.invalid("Give hours (0–8784) and minutes (0–59).", fields: [field: ["hours and minutes"]])
            }
            return TimeInterval(h * 3_600 + m * 60)
        }
        let policy = ClockPolicy(
            firstReply: try span(form.firstReplyHours, form.firstReplyMinutes, "firstReply"),
            resolution: try span(form.resolutionHours, form.resolutionMinutes, "resolution"),
            regulator: TimeInterval(form.regulatorDays ?? 10) * 86_400,
            warnFraction: Double(form.warnPercent ?? 80) / 100,
            pauseStatuses: Set(try (form.pause ?? []).compactMap { try pick($0, ComplaintStatus.self) }),
            businessTime: form.businessTime == "1",
            warnActions: Set(try (form.warn ?? []).compactMap { try pick($0, EscalationAction.self) }),
            breachActions: Set(try (form.breach ?? []).compactMap { try pick($0, EscalationAction.self) }))
        let rule = PolicyRule(id: "", category: try pick(form.category, ComplaintCategory.self),
                              priority: try pick(form.priority, Priority.self),
                              channel: try pick(form.channel, KesuCore.Channel.self), policy: policy)
        var id: UUID?
        if let text = form.id, !text.isEmpty {
            guard let parsed = UUID(uuidString: text) else { throw KesuError.notFound("No such policy.") }
            id = parsed
        }
        _ = try await sla(req).savePolicy(id: id, rule, by: actor)
        return req.redirect(to: "/admin/sla")
    }

    @Sendable func deletePolicy(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try requireAdmin()
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else {
            throw KesuError.notFound("No such policy.")
        }
        try await sla(req).deletePolicy(id, by: actor)
        return req.redirect(to: "/admin/sla")
    }

    @Sendable func calendar(req: Request) async throws -> View {
        let actor = try requireAdmin()
        let language = WebSession.language(req)
        let (weekly, days) = try await sla(req).calendar()
        let names = (1...7).map { language.text("weekday.\($0)") }
        var page = Page(chrome: Pages.chrome(req, title: language.strings["calendar"] ?? "", actor: actor),
                        section: "calendar")
        page.hours = (1...7).map { HoursRow(weekday: $0, label: names[$0 - 1], hours: weekly[$0]?.description ?? "") }
        page.days = days.map {
            DayRow(day: $0.day.description, kind: language.strings[$0.workday ? "workday" : "holiday"] ?? "",
                   name: $0.name, workday: $0.workday)
        }
        page.timeZone = req.application.kesu.config.timeZone.identifier
        return try await req.view.render("admin/rules", page)
    }

    @Sendable func saveHours(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try requireAdmin()
        struct Form: Decodable { var h1, h2, h3, h4, h5, h6, h7: String? }
        let f = try req.content.decode(Form.self)
        let given = [f.h1, f.h2, f.h3, f.h4, f.h5, f.h6, f.h7]
        var hours: [Int: String] = [:]
        for (i, text) in given.enumerated() { hours[i + 1] = text ?? "" }
        try await sla(req).setHours(hours, by: actor)
        return req.redirect(to: "/admin/calendar")
    }

    @Sendable func saveDay(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try requireAdmin()
        struct Form: Decodable { var day: String, kind: String, name: String? }
        let form = try req.content.decode(Form.self)
        let workday: Bool? = switch form.kind {
        case "holiday": false
        case "workday": true
        case "normal": nil
        default: throw KesuError.invalid("Choose holiday, make-up working day or normal.")
        }
        try await sla(req).setDay(form.day, workday: workday, name: form.name, by: actor)
        return req.redirect(to: "/admin/calendar")
    }

    @Sendable func compensation(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        try actor.require(.manageCompensation)
        let language = WebSession.language(req)
        let format = PageFormat(language: language, timeZone: req.application.kesu.config.timeZone)
        let now = req.application.kesu.clock.now()
        let rows = try await CompensationService(services: req.application.kesu, db: req.db).versions()
        let current = CompensationRules.inForce(at: now, among: rows.map(\.rules))?.version
        var page = Page(chrome: Pages.chrome(req, title: language.strings["compensation_rules"] ?? "", actor: actor),
                        section: "compensation")
        page.compensation = rows.reversed().map {
            RulesRow(version: $0.rules.version, from: format.time($0.rules.effectiveFrom),
                     multiple: "\($0.rules.uninsuredFeeMultiple)×", cap: CompensationEngine.yuan($0.rules.couponCapFen),
                     by: $0.createdBy ?? "—", inForce: $0.rules.version == current)
        }
        let days = BusinessCalendar(timeZone: format.timeZone, weekly: [:])
        page.tomorrow = format.inputTime(days.start(of: days.day(of: now).next))
        return try await req.view.render("admin/rules", page)
    }

    @Sendable func addCompensation(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        try actor.require(.manageCompensation)
        struct Form: Decodable { var effectiveFrom: String, multiple: Int, cap: String }
        let form = try req.content.decode(Form.self)
        let format = PageFormat(language: WebSession.language(req), timeZone: req.application.kesu.config.timeZone)
        guard let from = format.parseInputTime(form.effectiveFrom) else {
            throw KesuError.invalid("The effective time must be a date and time.", fields: ["effectiveFrom": ["malformed"]])
        }
        guard let cap = CompensationEngine.fen(fromYuan: form.cap) else {
            throw KesuError.invalid("The coupon cap must be an amount in yuan.", fields: ["couponCapFen": ["malformed"]])
        }
        _ = try await CompensationService(services: req.application.kesu, db: req.db)
            .addVersion(effectiveFrom: from, uninsuredFeeMultiple: form.multiple, couponCapFen: cap, by: actor)
        return req.redirect(to: "/admin/compensation")
    }

    @Sendable func rootCauses(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        try actor.require(.manageRootCauses)
        let language = WebSession.language(req)
        var page = Page(chrome: Pages.chrome(req, title: language.strings["root_causes"] ?? "", actor: actor),
                        section: "causes")
        page.causes = try await ClosureService(services: req.application.kesu, db: req.db).rootCauses(activeOnly: false)
            .map { CauseRow(code: $0.code, name: $0.name, systemic: $0.systemic, active: $0.active) }
        return try await req.view.render("admin/rules", page)
    }

    /// Adds a root cause (no code) or saves a row of the list.
    @Sendable func saveRootCause(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var code: String?, name: String, systemic: String?, active: String? }
        let form = try req.content.decode(Form.self)
        let isNew = (form.code ?? "").isEmpty
        _ = try await ClosureService(services: req.application.kesu, db: req.db).saveRootCause(
            code: form.code, name: form.name, systemic: form.systemic == "1", active: isNew || form.active == "1", by: actor)
        return req.redirect(to: "/admin/root-causes")
    }
}
