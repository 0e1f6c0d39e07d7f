import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// 管理 › 考核规则 — HQ quality (and admins) edit the catalogue of fines and rewards and the appeal and review windows.
struct AdminFinesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin", "fines")
        admin.get(use: page)
        admin.post("rules", use: saveRule)
        admin.post("windows", use: saveWindows)
    }

    struct RuleRow: Encodable {
        var code, nameZh, nameEn, kind, amount, multiplier, baseCode: String
        var needsNeglect, active: Bool
    }

    struct Page: Encodable {
        var chrome: PageChrome
        var section = "fines"
        var rules: [RuleRow]
        var bases: [Choice]
        var appealHours, reviewHours, secondAskHours: Int
        var businessTime: Bool
        var overdue: [Choice]
        var done: String?
    }

    @Sendable func page(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        try actor.require(.manageFineRules)
        let language = WebSession.language(req)
        let rules = try await FineStore.rules(on: req.db)
        let w = try await FineSettings.windows(on: req.db)
        return try await req.view.render("admin/fines", Page(
            chrome: Pages.chrome(req, title: language.strings["fine_rules"] ?? "", actor: actor),
            rules: rules.map {
                RuleRow(code: $0.rule.code, nameZh: $0.nameZh, nameEn: $0.nameEn, kind: $0.rule.kind.rawValue,
                        amount: $0.rule.amountFen.map(FineMoney.yuan) ?? "",
                        multiplier: $0.rule.multiplierPercent.map { String($0) } ?? "", baseCode: $0.rule.baseCode ?? "",
                        needsNeglect: $0.rule.needsNeglect, active: $0.rule.active)
            },
            bases: [Choice(value: "", label: language.strings["none"] ?? "", selected: true)]
                + rules.filter { $0.rule.amountFen != nil && $0.rule.kind == .fine }
                    .map { Choice(value: $0.rule.code, label: language.pick(zh: $0.nameZh, en: $0.nameEn), selected: false) },
            appealHours: Int(w.appeal / 3_600), reviewHours: Int(w.review / 3_600), secondAskHours: Int(w.secondAsk / 3_600),
            businessTime: w.businessTime,
            overdue: OverdueReview.allCases.map {
                Choice(value: $0.rawValue, label: language.strings["fine_overdue_do." + $0.rawValue] ?? $0.rawValue,
                       selected: $0 == w.overdue)
            },
            done: Pages.flash(req, language: language)))
    }

    @Sendable func saveRule(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable {
            var ruleCode, nameZh, nameEn, kind, amount, multiplier, baseCode, needsNeglect, active: String?
        }
        let form = try req.content.decode(Form.self)
        var amount: Int?, multiplier: Int?
        if let text = form.amount?.trimmed, !text.isEmpty {
            guard let fen = FineMoney.fen(text) else {
                throw KesuError.invalid("Give the amount in yuan.", fields: ["amount": ["malformed"]])
            }
            amount = fen
        }
        if let text = form.multiplier?.trimmed, !text.isEmpty {
            guard let percent = Int(text) else {
                throw KesuError.invalid("Give the multiplier in percent.", fields: ["multiplier": ["malformed"]])
            }
            multiplier = percent
        }
        try await FineRules(services: req.application.kesu, db: req.db).save(
            code: form.ruleCode ?? "", nameZh: form.nameZh ?? "", nameEn: form.nameEn ?? "", kind: form.kind ?? "fine",
            amountFen: amount, multiplierPercent: multiplier, baseCode: form.baseCode, needsNeglect: form.needsNeglect == "1",
            active: form.active == "1", by: actor)
        return req.redirect(to: Pages.withFlash("/admin/fines", "changed"))
    }

    @Sendable func saveWindows(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var appealHours, reviewHours, secondAskHours, businessTime, overdue: String? }
        let form = try req.content.decode(Form.self)
        func hours(_ text: String?, _ field: String) throws -> Int {
            guard let value = text.flatMap({ Int($0.trimmed) }) else {
                throw KesuError.invalid("Give the hours as a whole number.", fields: [field: ["malformed"]])
            }
            return value
        }
        try await FineRules(services: req.application.kesu, db: req.db).saveWindows(
            appealHours: try hours(form.appealHours, "appealHours"), reviewHours: try hours(form.reviewHours, "reviewHours"),
            secondAskHours: try hours(form.secondAskHours, "secondAskHours"), businessTime: form.businessTime == "1",
            overdue: form.overdue ?? "", by: actor)
        return req.redirect(to: Pages.withFlash("/admin/fines", "changed"))
    }
}
