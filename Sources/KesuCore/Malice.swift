import Foundation

/// A sign that a customer may be complaining to extort compensation (seed 003: "an outlet afraid of complaints
/// pays"). Signals raise a risk flag for staff with the reasons; they never list anyone, never block a complaint and
/// are never shown to the customer. Only a quality officer's reviewed decision does anything (PIPL §24).
public enum MaliceSignalKind: String, CaseIterable, Codable, Sendable {
    /// Compensation demanded on several complaints.
    case repeatedDemands = "repeated_demands"
    /// Many complaints across different waybills in 90 days.
    case manyWaybills = "many_waybills"
    /// Every proposal refused.
    case refusesEverything = "refuses_everything"
    /// A threat next to a money demand (不赔偿就升级投诉).
    case threatWithMoney = "threat_with_money"
    /// Compensation claimed far above what the rules give.
    case claimAboveRules = "claim_above_rules"
}

/// One signal with its evidence: the complaints it rests on and, for a threat or a claim, the words or figures.
public struct MaliceSignal: Sendable, Equatable, Codable {
    public var kind: MaliceSignalKind
    public var complaints: [String]
    public var detail: String

    public init(kind: MaliceSignalKind, complaints: [String], detail: String) {
        self.kind = kind
        self.complaints = complaints
        self.detail = detail
    }
}

/// What the signals read of one customer: their complaints in the window, with what they said and asked for, and
/// how they answered proposals.
public struct CustomerRecord: Sendable {
    public struct Complaint: Sendable {
        public var number: String
        public var receivedAt: Date
        public var waybills: [String]
        /// The description and the customer's own messages.
        public var text: String
        /// The most the compensation rules give for it (the insured value, else three times the postage), when known.
        public var rulesCapFen: Int64?

        public init(number: String, receivedAt: Date, waybills: [String], text: String, rulesCapFen: Int64? = nil) {
            self.number = number
            self.receivedAt = receivedAt
            self.waybills = waybills
            self.text = text
            self.rulesCapFen = rulesCapFen
        }
    }

    public var complaints: [Complaint]
    public var proposalsRefused: Int
    public var proposalsAccepted: Int

    public init(complaints: [Complaint], proposalsRefused: Int = 0, proposalsAccepted: Int = 0) {
        self.complaints = complaints
        self.proposalsRefused = proposalsRefused
        self.proposalsAccepted = proposalsAccepted
    }
}

/// The thresholds of the signals.
public struct MaliceRules: Sendable, Equatable {
    public var window: TimeInterval = 90 * 86_400
    /// Complaints demanding money, in the window.
    public var demands = 3
    /// Complaints, and distinct waybills among them, in the window.
    public var complaints = 5, waybills = 4
    /// Proposals refused with none accepted.
    public var refusals = 2
    /// A claim this many times the rules' amount is far above it.
    public var claimFactor: Int64 = 3

    public static let standard = MaliceRules()
    public init() {}

    static let moneyWords = ["赔", "补偿", "退款", "退钱", "给钱", "红包", "元", "块钱", "万"]
    static let threatWords = ["升级投诉", "投诉到", "12305", "邮政局", "邮管局", "消协", "12315", "12345", "曝光", "媒体",
                              "记者", "起诉", "告你", "法院", "差评", "网上发", "抖音", "微博"]

    /// The sentences of `text`: split at 。！？!?；; and line breaks.
    static func sentences(_ text: String) -> [String] {
        text.split { "。！？!?；;\n".contains($0) }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func demandsMoney(_ sentence: String) -> Bool {
        ["赔", "补偿", "退款", "退钱", "给钱"].contains { sentence.contains($0) }
    }

    /// The largest amount of money a sentence asks for (要求赔偿 5000 元, 赔我三千块 is not read), in fen.
    static func demandedFen(_ sentence: String) -> Int64? {
        guard demandsMoney(sentence) else { return nil }
        var best: Int64?
        let scalars = Array(sentence)
        var i = 0
        while i < scalars.count {
            guard scalars[i].isASCII, scalars[i].isNumber else { i += 1; continue }
            var j = i
            while j < scalars.count, scalars[j].isASCII, scalars[j].isNumber || scalars[j] == "." { j += 1 }
            let number = Double(String(scalars[i..<j])) ?? 0
            var k = j
            while k < scalars.count, scalars[k] == " " { k += 1 }
            let unit = k < scalars.count ? scalars[k] : " "
            let yuan: Double? = unit == "万" ? number * 10_000 : (unit == "元" || unit == "块") ? number : nil
            if let yuan, yuan < 10_000_000 { best = max(best ?? 0, Int64((yuan * 100).rounded())) }
            i = j
        }
        return best
    }

    /// The signals `record` shows at `now`, each with its evidence; empty for an ordinary customer.
    public func signals(of record: CustomerRecord, now: Date) -> [MaliceSignal] {
        let recent = record.complaints.filter { $0.receivedAt > now.addingTimeInterval(-window) && $0.receivedAt <= now }
            .sorted { $0.receivedAt < $1.receivedAt }
        var found: [MaliceSignal] = []
        let demanding = recent.filter { c in Self.sentences(c.text).contains(where: Self.demandsMoney) }
        if demanding.count >= demands {
            found.append(MaliceSignal(kind: .repeatedDemands, complaints: demanding.map(\.number),
                                      detail: String(demanding.count)))
        }
        let waybillCount = Set(recent.flatMap(\.waybills)).count
        if recent.count >= complaints, waybillCount >= waybills {
            found.append(MaliceSignal(kind: .manyWaybills, complaints: recent.map(\.number),
                                      detail: "\(recent.count)/\(waybillCount)"))
        }
        if record.proposalsRefused >= refusals, record.proposalsAccepted == 0 {
            found.append(MaliceSignal(kind: .refusesEverything, complaints: [], detail: String(record.proposalsRefused)))
        }
        for c in recent {
            if let sentence = Self.sentences(c.text).first(where: { s in
                Self.threatWords.contains { s.contains($0) } && Self.moneyWords.contains { s.contains($0) }
            }) {
                found.append(MaliceSignal(kind: .threatWithMoney, complaints: [c.number], detail: String(sentence.prefix(80))))
                break
            }
        }
        for c in recent {
            guard let cap = c.rulesCapFen, cap > 0,
                  let demanded = Self.sentences(c.text).compactMap(Self.demandedFen).max(), demanded >= cap * claimFactor
            else { continue }
            found.append(MaliceSignal(kind: .claimAboveRules, complaints: [c.number], detail: "\(demanded)/\(cap)"))
            break
        }
        return found
    }
}

/// 黑名单 — what a quality officer's review decides: listed until an expiry (at most a year), or dismissed; either
/// with a reason and evidence. Nothing lists a customer without a review.
public enum BlacklistRules {
    public static let maxListing: TimeInterval = 366 * 86_400

    public static func checkListing(reason: String, evidence: String, expiresAt: Date, now: Date) throws {
        var problems = ValidationProblems()
        if reason.trimmed.length < 2 || reason.length > 500 { problems.refuse("reason", "must be 2 to 500 characters") }
        if evidence.trimmed.length < 2 || evidence.length > 2_000 { problems.refuse("evidence", "must be 2 to 2,000 characters") }
        if expiresAt <= now || expiresAt.timeIntervalSince(now) > maxListing {
            problems.refuse("expiresAt", "must be within the coming year")
        }
        try problems.throwIfAny("The customer cannot be listed.")
    }
}
