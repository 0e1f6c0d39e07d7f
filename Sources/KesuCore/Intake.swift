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
        return ValidIntake(
            channel: channel, customerName: name, phone: phone, email: email, waybillNumbers: waybills,
            description: text, category: category,
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
