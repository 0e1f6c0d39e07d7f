import Foundation

/// What happened to the parcel, for compensation.
public enum Incident: String, CaseIterable, Codable, Sendable {
    /// 丢失 — the parcel or its contents are lost.
    case loss
    /// 损毁 — damaged, in part or whole.
    case damage
    /// 延误 — late.
    case delay
}

/// 赔偿规则 — one version of the compensation rules, in force for complaints received from `effectiveFrom`.
/// Money is integer fen (分) throughout.
public struct CompensationRules: Sendable, Equatable {
    public var version: Int
    public var effectiveFrom: Date
    /// Uninsured items are paid their actual loss up to this multiple of the service fee (carriers use 3×–7×).
    public var uninsuredFeeMultiple: Int
    /// The most a goodwill coupon may be worth.
    public var couponCapFen: Int64

    public init(version: Int, effectiveFrom: Date, uninsuredFeeMultiple: Int = 3, couponCapFen: Int64 = 2_000) {
        self.version = version
        self.effectiveFrom = effectiveFrom
        self.uninsuredFeeMultiple = uninsuredFeeMultiple
        self.couponCapFen = couponCapFen
    }

    /// Checks the figures: a multiple from 1 to 20, a coupon cap from 0 to ¥10,000.
    public func validate() throws {
        var problems = ValidationProblems()
        if !(1...20).contains(uninsuredFeeMultiple) { problems.add("uninsuredFeeMultiple", "must be 1 to 20") }
        if !(0...1_000_000).contains(couponCapFen) { problems.add("couponCapFen", "must be 0 to 1,000,000 fen") }
        try problems.throwIfAny("The compensation rules cannot be saved")
    }

    /// The version in force for a complaint received at `receivedAt`: the latest that took effect by then.
    public static func inForce(at receivedAt: Date, among versions: [CompensationRules]) -> CompensationRules? {
        versions.filter { $0.effectiveFrom <= receivedAt }.max { ($0.effectiveFrom, $0.version) < ($1.effectiveFrom, $1.version) }
    }
}

/// The facts a compensation figure is computed from.
public struct CompensationInput: Sendable, Equatable {
    public var incident: Incident
    /// 资费 — the service fee, excluding any insurance charge.
    public var serviceFeeFen: Int64
    /// 保价金额 — the declared (insured) value; nil when the item was not insured.
    public var insuredValueFen: Int64?
    /// The loss the customer claims (and can show); nil when not stated.
    public var claimedLossFen: Int64?
    /// For damage: how much of the item's value was destroyed, in percent (100 when not stated).
    public var damagePercent: Int?
    public var itemKind: String?

    public init(incident: Incident, serviceFeeFen: Int64, insuredValueFen: Int64? = nil, claimedLossFen: Int64? = nil,
                damagePercent: Int? = nil, itemKind: String? = nil) {
        self.incident = incident
        self.serviceFeeFen = serviceFeeFen
        self.insuredValueFen = insuredValueFen
        self.claimedLossFen = claimedLossFen
        self.damagePercent = damagePercent
        self.itemKind = itemKind
    }

    public func validate() throws {
        var problems = ValidationProblems()
        if serviceFeeFen < 0 { problems.add("serviceFeeFen", "cannot be negative") }
        if let v = insuredValueFen, v <= 0 { problems.refuse("insuredValueFen", "must be more than 0") }
        if let v = claimedLossFen, !(0...100_000_000).contains(v) { problems.add("claimedLossFen", "must be 0 to ¥1,000,000") }
        if let p = damagePercent, !(1...100).contains(p) { problems.add("damagePercent", "must be 1 to 100") }
        if damagePercent != nil, incident != .damage { problems.refuse("damagePercent", "is only for damage") }
        try problems.throwIfAny("The compensation cannot be computed")
    }
}

/// What the rules allow, and why.
public struct CompensationSuggestion: Sendable, Equatable {
    /// Which rule applied.
    public enum Rule: String, Sendable {
        case insuredLoss = "insured_loss"
        case insuredDamage = "insured_damage"
        case uninsuredCapped = "uninsured_capped"
        case delayFeeWaiver = "delay_fee_waiver"
    }

    public var amountFen: Int64
    public var rule: Rule
    public var version: Int
    /// One sentence in Chinese and one in English showing the arithmetic.
    public var explanationZh: String
    public var explanationEn: String
    /// The most a goodwill coupon may add.
    public var couponCapFen: Int64
}

/// 赔偿引擎 — the amount the rules allow for an incident (docs/domain.md, "Compensation").
public enum CompensationEngine {
    public static func suggest(_ input: CompensationInput, rules: CompensationRules) throws -> CompensationSuggestion {
        try input.validate()
        let fee = input.serviceFeeFen
        func result(_ amount: Int64, _ rule: CompensationSuggestion.Rule, _ zh: String, _ en: String) -> CompensationSuggestion {
            CompensationSuggestion(amountFen: amount, rule: rule, version: rules.version, explanationZh: zh,
                                   explanationEn: en, couponCapFen: rules.couponCapFen)
        }
        switch (input.incident, input.insuredValueFen) {
        case (.delay, _):
            return result(fee, .delayFeeWaiver,
                          "延误：免收资费 \(yuan(fee))（不含保价费）。",
                          "Delay: the service fee of \(yuan(fee)) is waived (insurance charges excluded).")
        case (.loss, let insured?):
            // Paid the insured value, or the actual loss when the customer shows less.
            let amount = min(insured, input.claimedLossFen ?? insured)
            let why = amount < insured ? "按实际损失 \(yuan(amount))（低于保价 \(yuan(insured))）" : "按保价金额 \(yuan(insured))"
            let whyEn = amount < insured ? "the actual loss of \(yuan(amount)) (below the insured \(yuan(insured)))"
                : "the insured value of \(yuan(insured))"
            return result(amount, .insuredLoss, "保价快件丢失：\(why)赔偿。", "Insured item lost: pays \(whyEn).")
        case (.damage, let insured?):
            let percent = Int64(input.damagePercent ?? 100)
            let byShare = insured * percent / 100
            let amount = min(byShare, input.claimedLossFen ?? byShare)
            let capped = amount < byShare ? "，以实际损失 \(yuan(amount)) 为限" : ""
            let cappedEn = amount < byShare ? ", limited to the actual loss of \(yuan(amount))" : ""
            return result(amount, .insuredDamage,
                          "保价快件损毁：保价 \(yuan(insured)) × 损毁比例 \(percent)% = \(yuan(byShare))\(capped)。",
                          "Insured item damaged: insured \(yuan(insured)) × \(percent)% damaged = \(yuan(byShare))\(cappedEn).")
        case (.loss, nil), (.damage, nil):
            let cap = fee * Int64(rules.uninsuredFeeMultiple)
            let amount = min(cap, input.claimedLossFen ?? cap)
            let what = input.incident == .loss ? "丢失" : input.incident == .damage ? "损毁" : "延误"
            let capText = "资费 \(yuan(fee)) × \(rules.uninsuredFeeMultiple) 倍 = \(yuan(cap))"
            let zh = input.claimedLossFen == nil
                ? "未保价快件\(what)：按实际损失赔偿，最高 \(capText)；客户未提供损失金额，按上限计。"
                : "未保价快件\(what)：实际损失 \(yuan(input.claimedLossFen ?? 0))，上限 \(capText)，赔偿 \(yuan(amount))。"
            let en = input.claimedLossFen == nil
                ? "Uninsured item (\(input.incident.rawValue)): actual loss up to \(rules.uninsuredFeeMultiple)× the fee of \(yuan(fee)) = \(yuan(cap)); no loss stated, so the cap."
                : "Uninsured item (\(input.incident.rawValue)): actual loss \(yuan(input.claimedLossFen ?? 0)), capped at \(rules.uninsuredFeeMultiple)× the fee of \(yuan(fee)) = \(yuan(cap)); pays \(yuan(amount))."
            return result(amount, .uninsuredCapped, zh, en)
        }
    }

    /// Fen from a yuan amount as people type it: `120`, `120.5`, `¥120.50`; nil for anything else (at most two
    /// decimals, at most ¥10,000,000).
    public static func fen(fromYuan text: String) -> Int64? {
        var t = text.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("¥") || t.hasPrefix("￥") { t.removeFirst() }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int64(parts[0]), whole >= 0, whole <= 10_000_000,
              parts[0].allSatisfy(\.isASCII) else { return nil }
        var cents: Int64 = 0
        if parts.count == 2 {
            let frac = parts[1]
            guard (1...2).contains(frac.count), frac.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let n = Int64(frac) else { return nil }
            cents = frac.count == 1 ? n * 10 : n
        }
        return whole * 100 + cents
    }

    /// ¥12.34 from 1234 fen.
    public static func yuan(_ fen: Int64) -> String {
        let sign = fen < 0 ? "-" : ""
        let v = abs(fen)
        let cents = v % 100
        return "\(sign)¥\(v / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}
