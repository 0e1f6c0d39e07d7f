import Foundation

/// 受理 — a complaint as it arrives, before it is checked.
public struct ComplaintDraft: Sendable {
    public var channel: Channel
    public var customerName: String
    public var customerPhone: String
    public var customerEmail: String?
    public var waybillNumbers: [String]
    public var description: String
    public var category: ComplaintCategory?
    /// A sub-category code under `category` (which sub-categories exist is data, checked where it is stored).
    public var subcategory: String?
    public var priority: Priority?
    public var receivedAt: Date?
    /// When the regulator forwarded the appeal (申诉转办), for channel `regulator`; its clock runs from then.
    public var regulatorForwardedAt: Date?
    /// The regulator's case number (the 12305 appeal number) and the deadline it gave, for channel `regulator`.
    public var regulatorCaseNumber: String?
    public var regulatorDueAt: Date?

    public init(channel: Channel, customerName: String, customerPhone: String, customerEmail: String? = nil,
                waybillNumbers: [String], description: String, category: ComplaintCategory? = nil,
                subcategory: String? = nil, priority: Priority? = nil, receivedAt: Date? = nil,
                regulatorForwardedAt: Date? = nil) {
        self.channel = channel
        self.customerName = customerName
        self.customerPhone = customerPhone
        self.customerEmail = customerEmail
        self.waybillNumbers = waybillNumbers
        self.description = description
        self.category = category
        self.subcategory = subcategory
        self.priority = priority
        self.receivedAt = receivedAt
        self.regulatorForwardedAt = regulatorForwardedAt
    }
}

/// A complaint that passed every intake check, ready to be recorded.
public struct ValidIntake: Sendable, Equatable {
    public var channel: Channel
    public var customerName: String
    public var phone: PhoneNumber
    public var email: String?
    public var waybillNumbers: [String]
    public var description: String
    public var category: ComplaintCategory?
    /// Whether the category was guessed from the description rather than given.
    public var categorySuggested: Bool
    public var subcategory: String?
    public var requestedPriority: Priority?
    public var receivedAt: Date
    public var regulatorForwardedAt: Date?
    public var regulatorCaseNumber: String?
    public var regulatorDueAt: Date?
}

/// The limits intake enforces.
public enum IntakeLimits {
    public static let nameLength = 1...50
    public static let descriptionLength = 1...5_000
    public static let waybillCount = 0...20
    public static let waybillLength = 6...32
    public static let emailLength = 3...254
    /// How far in the future a given `receivedAt` may lie (clock skew between systems).
    public static let futureTolerance: TimeInterval = 300
    /// How far back a late-recorded complaint's `receivedAt` may lie: a year and a day.
    public static let pastTolerance: TimeInterval = 366 * 86_400
}

extension ComplaintDraft {
    /// Checks every field and returns the clean intake, or throws one error naming every problem.
    public func validate(now: Date) throws -> ValidIntake {
        var problems = ValidationProblems()
        let name = customerName.trimmed
        if !IntakeLimits.nameLength.contains(customerName.length) {
            problems.add("customer.name", "must be 1 to \(IntakeLimits.nameLength.upperBound) characters")
        } else if name.isEmpty {
            problems.refuse("customer.name", "is only spaces")
        }
        let phone = PhoneNumber(customerPhone)
        if phone == nil {
            problems.add("customer.phone", "is not a mainland mobile (1xxxxxxxxxx) or landline (0xx-xxxxxxxx) number")
        }
        var email = customerEmail?.trimmed
        if email?.isEmpty == true { email = nil }
        if (customerEmail?.length ?? 0) > IntakeLimits.emailLength.upperBound {
            problems.add("customer.email", "at most \(IntakeLimits.emailLength.upperBound) characters")
        } else if let e = email, !Self.looksLikeEmail(e) {
            problems.refuse("customer.email", "is not an email address")
        }
        var waybills: [String] = []
        for raw in waybillNumbers {
            guard let w = WaybillNumber.normalise(raw) else {
                problems.add("waybillNumbers", "\(raw.prefix(40)) is not a waybill number (6–32 letters and digits)")
                continue
            }
            if !waybills.contains(w) { waybills.append(w) }
        }
        if !IntakeLimits.waybillCount.contains(waybillNumbers.count) {
            problems.add("waybillNumbers", "at most \(IntakeLimits.waybillCount.upperBound) waybills per complaint")
        }
        let text = description.trimmed
        if !IntakeLimits.descriptionLength.contains(description.length) {
            problems.add("description", "must be 1 to \(IntakeLimits.descriptionLength.upperBound) characters")
        } else if text.isEmpty {
            problems.refuse("description", "is only spaces")
        }
        if let at = receivedAt {
            if at.timeIntervalSince(now) > IntakeLimits.futureTolerance {
                problems.refuse("receivedAt", "lies in the future")
            } else if now.timeIntervalSince(at) > IntakeLimits.pastTolerance {
                problems.refuse("receivedAt", "is more than a year ago")
            }
        }
        var subcategory = self.subcategory?.trimmed
        if subcategory?.isEmpty == true { subcategory = nil }
        if let at = regulatorForwardedAt {
            if channel != .regulator { problems.refuse("regulatorForwardedAt", "is only for channel regulator") }
            if at.timeIntervalSince(now) > IntakeLimits.futureTolerance {
                problems.refuse("regulatorForwardedAt", "lies in the future")
            } else if now.timeIntervalSince(at) > IntakeLimits.pastTolerance {
                problems.refuse("regulatorForwardedAt", "is more than a year ago")
            }
        }
        var caseNumber = regulatorCaseNumber?.trimmed
        if caseNumber?.isEmpty == true { caseNumber = nil }
        if let caseNumber {
            if channel != .regulator { problems.refuse("regulatorCaseNumber", "is only for channel regulator") }
            if caseNumber.count > 40 || !caseNumber.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
                problems.refuse("regulatorCaseNumber", "is 1 to 40 letters, digits and hyphens")
            }
        }
        if let due = regulatorDueAt {
            let from = regulatorForwardedAt ?? receivedAt ?? now
            if channel != .regulator { problems.refuse("regulatorDueAt", "is only for channel regulator") }
            if due <= from { problems.refuse("regulatorDueAt", "is not after the appeal was forwarded") }
            if due.timeIntervalSince(from) > 90 * 86_400 { problems.refuse("regulatorDueAt", "is more than 90 days away") }
        }
        if subcategory != nil, category == nil {
            problems.refuse("subcategory", "needs its category")
        }
        try problems.throwIfAny("The complaint cannot be recorded")
        guard let phone else { throw KesuError.invalid("customer.phone is missing") }
        let guessed = category == nil ? CategoryRules.suggest(for: text) : nil
        return ValidIntake(
            channel: channel, customerName: name, phone: phone, email: email, waybillNumbers: waybills,
            description: text, category: category ?? guessed, categorySuggested: guessed != nil,
            subcategory: subcategory, requestedPriority: priority, receivedAt: receivedAt ?? now,
            regulatorForwardedAt: regulatorForwardedAt, regulatorCaseNumber: caseNumber, regulatorDueAt: regulatorDueAt)
    }

    private static func looksLikeEmail(_ s: String) -> Bool {
        guard IntakeLimits.emailLength.contains(s.count), !s.contains(where: \.isWhitespace) else { return false }
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".")
            && !parts[1].hasSuffix(".")
    }
}

/// Plain keyword rules that suggest a category from what the customer wrote.
public enum CategoryRules {
    static let rules: [(ComplaintCategory, [String])] = [
        (.cod, ["代收货款", "代收款", "货款"]),
        (.improperCharge, ["多收", "乱收费", "收费", "运费", "计费", "加价"]),
        (.loss, ["丢失", "丢了", "丢件", "短少", "少了", "被偷", "找不到"]),
        (.damage, ["破损", "损坏", "摔坏", "压坏", "碎了", "破了", "坏了"]),
        (.pickupService, ["揽收", "上门取件", "取件", "不来收", "拒收寄"]),
        (.delay, ["延误", "延迟", "太慢", "还没到", "没到", "未更新", "不更新", "停滞", "几天了"]),
        (.deliveryService, ["驿站", "快递柜", "丰巢", "没送上门", "不送上门", "代签", "签收", "误投", "送错", "态度"]),
    ]

    /// The first category whose keywords appear in `text`, if any.
    public static func suggest(for text: String) -> ComplaintCategory? {
        rules.first { _, words in words.contains { text.contains($0) } }?.0
    }
}

/// Why a complaint's priority was raised automatically; every reason is recorded on the timeline.
public struct PriorityAssessment: Sendable, Equatable {
    public var priority: Priority
    public var reasons: [String]
    /// Flags the assessment set: `regulator_risk`, `media_risk`, `repeat`, `perishable`.
    public var flags: Set<String>
}

/// The rules that raise a complaint's priority (docs/domain.md, "Priority").
public enum PriorityRules {
    static let regulatorWords = ["12305", "邮政管理局", "邮管局", "消协", "12345", "12315", "投诉到国家"]
    static let mediaWords = ["曝光", "媒体", "记者", "微博", "抖音"]
    static let lawsuitWords = ["起诉", "律师", "法院", "打官司"]
    static let perishableKinds: Set<String> = ["fresh_food", "medicine", "生鲜", "药品"]

    /// Assesses a complaint; `requested` is what the caller asked for (default P3), never lowered.
    public static func assess(requested: Priority?, channel: Channel, description: String, isRepeat: Bool,
                              itemKinds: [String]) -> PriorityAssessment {
        var priority = requested ?? .p3
        var reasons: [String] = []
        var flags: Set<String> = []
        func raise(to p: Priority, _ reason: String) {
            reasons.append(reason)
            if p > priority { priority = p }
        }
        if channel == .regulator {
            raise(to: .p1, "forwarded by the regulator (申诉转办)")
            flags.insert("regulator")
        }
        let threats: [(words: [String], what: String, flag: String)] = [
            (regulatorWords, "customer mentions the regulator", "regulator_risk"),
            (mediaWords, "customer mentions the media", "media_risk"),
            (lawsuitWords, "customer threatens a lawsuit", "media_risk"),
        ]
        for threat in threats {
            if let w = threat.words.first(where: description.contains) {
                raise(to: .p1, "\(threat.what) (\(w))")
                flags.insert(threat.flag)
            }
        }
        if let kind = itemKinds.first(where: perishableKinds.contains) {
            raise(to: .p2, "perishable or medicine item (\(kind))")
            flags.insert("perishable")
        }
        if isRepeat {
            raise(to: .p2, "repeat complaint (same waybill, or same customer within 30 days)")
            flags.insert("repeat")
        }
        return PriorityAssessment(priority: priority, reasons: reasons, flags: flags)
    }
}

/// 运单号 — a waybill number as Kesu stores it: 6–32 ASCII letters and digits, upper-cased.
public enum WaybillNumber {
    /// The stored form of `raw`, or nil when it is not a waybill number.
    public static func normalise(_ raw: String) -> String? {
        let w = raw.uppercased()
        guard IntakeLimits.waybillLength.contains(w.length), w.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        else { return nil }
        return w
    }
}
