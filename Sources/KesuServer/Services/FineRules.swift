import Fluent
import Foundation
import KesuCore
import KesuStore

/// 考核规则 — HQ quality edits the catalogue of fines and rewards and the appeal windows; old fines keep the amounts
/// they were issued with.
package struct FineRules {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    /// Saves a rule: `amountFen` for a fixed amount, or `multiplierPercent` of `baseCode`'s.
    package func save(code: String, nameZh: String, nameEn: String, kind: String, amountFen: Int?, multiplierPercent: Int?,
                      baseCode: String?, needsNeglect: Bool, active: Bool, by actor: Actor) async throws {
        try actor.require(.manageFineRules)
        var problems = ValidationProblems()
        let code = code.trimmed, zh = nameZh.trimmed, en = nameEn.trimmed
        if !(2...40).contains(code.count) || !code.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLowercase || $0.isNumber)) }) {
            problems.add("ruleCode", "must be 2 to 40 lower-case letters, digits or _")
        }
        if !(1...40).contains(zh.length) { problems.add("nameZh", "must be 1 to 40 characters") }
        if !(1...80).contains(en.length) { problems.add("nameEn", "must be 1 to 80 characters") }
        let kind = FineRuleKind(rawValue: kind)
        if kind == nil { problems.add("kind", "is fine or reward") }
        try problems.throwIfAny("The rule cannot be saved.")
        let existing = try await FineStore.rules(on: db)
        let base = baseCode?.trimmed
        let rule = FineRule(code: code, kind: kind ?? .fine, amountFen: amountFen, multiplierPercent: multiplierPercent,
                            baseCode: multiplierPercent == nil || base?.isEmpty != false ? nil : base,
                            needsNeglect: needsNeglect, active: active)
        try rule.validate(among: existing.map(\.rule).filter { $0.code != code })
        // A fixed rule that others multiply stays fixed.
        if rule.amountFen == nil, existing.contains(where: { $0.rule.baseCode == code }) {
            throw KesuError.refused("Other rules multiply this one; it keeps a fixed amount.", fields: ["amount": ["is a base"]])
        }
        let position = existing.first { $0.rule.code == code }?.position ?? (existing.map(\.position).max() ?? -1) + 1
        try await services.writer.write(on: db) { tx in
            try await FineStore.saveRule(FineRuleRow(rule: rule, nameZh: zh, nameEn: en, position: position), on: tx)
        }
    }

    package func saveWindows(appealHours: Int, reviewHours: Int, secondAskHours: Int, businessTime: Bool, overdue: String,
                             by actor: Actor) async throws {
        try actor.require(.manageFineRules)
        guard let overdue = OverdueReview(rawValue: overdue) else {
            throw KesuError.invalid("Choose what happens to a review out of time.", fields: ["overdue": ["unknown"]])
        }
        let windows = try FineWindows.hours(appeal: appealHours, review: reviewHours, secondAsk: secondAskHours,
                                            businessTime: businessTime, overdue: overdue)
        try await services.writer.write(on: db) { try await FineSettings.save(windows, on: $0) }
    }
}
