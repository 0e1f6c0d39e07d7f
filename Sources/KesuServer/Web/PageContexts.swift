import Foundation
import KesuCore
import KesuStore
import LeafKit

/// What every staff page shows: its title, the words of its language, the user, and the form token.
struct PageChrome: Encodable {
    var title: String
    var t: PageWords
    var lang: String
    var otherLang: String
    var user: String?
    var csrf: String?
    /// The customers' pages show their own links instead of the staff menu.
    var portal = false
    /// Admins see the admin link.
    var admin = false
    /// Supervisors and quality staff see the report link.
    var reports = false
    /// Those who see problem parcels have them in the menu.
    var parcels = false
    /// Those who see fines have them in the menu.
    var fines = false
    /// Outlet staff have their home page in the menu.
    var outletHome = false
    /// Unread notifications, shown beside the bell.
    var unread = 0
    /// Where the language switch comes back to, encoded for a query string.
    var here = "/complaints"
}

/// A language's words as a page reads them (`chrome.t.key`): handed to Leaf as the catalog's ready-made table
/// instead of being encoded entry by entry for every page.
struct PageWords: Encodable, LeafDataRepresentable {
    var language: Language
    var leafData: LeafData { LocaleCatalog.leafTable(language) }
    func encode(to encoder: any Encoder) throws { try language.strings.encode(to: encoder) }
}

struct LoginPage: Encodable {
    var chrome: PageChrome
    var next: String
    var error: String?
    var username: String
}

struct ErrorPage: Encodable {
    var chrome: PageChrome
    var status: Int
    var heading: String
    var message: String
    /// Each wrong field, in the form's words.
    var problems: [String] = []
}

/// One row of the queue (工单列表).
struct Choice: Encodable, LeafDataRepresentable {
    var value: String
    var label: String
    var selected: Bool

    /// Lists of choices fill every form; Leaf takes them as they are instead of through an encoder.
    var leafData: LeafData { .dictionary(["value": .string(value), "label": .string(label), "selected": .bool(selected)]) }
}

/// 赔偿建议 on the complaint page: the form, and the rules' answer once an incident is chosen.
struct CompensationCard: Encodable {
    var incidents: [Choice]
    var claimed: String
    var damage: String
    var amount: String?
    var explanation: String?
    var version: String?
    var error: String?
}

/// 责任认定 on the complaint page: the finding so far and the form to record or change it.
struct ResponsibilityCard: Encodable {
    var party: String?
    var unit: String?
    var person: String?
    var reason: String?
    var evidence: [String]
    var parties: [Choice]
    var units: [Choice]
}

/// One proposal on the complaint page, with what the signed-in user may do with it.
struct ProposalItem: Encodable {
    var id, kind, amount, description, state, stateCode, by, approvedBy, reason: String
    var canApprove, canOffer, canDecide: Bool
}

/// One execution step on the complaint page.
struct TaskItem: Encodable {
    var id, title, owner, due: String
    var done, late: Bool
    var doneText: String
}

/// One clock on the complaint page.
struct ClockItem: Encodable {
    var name: String
    var due: String
    var state: String
    /// `ok`, `warn`, `late` or `done`, for the colour.
    var tone: String
    var note: String
}

struct TimelineItem: Encodable {
    var at: String
    var actor: String
    var kind: String
    var text: String
    var isInternal: Bool
    /// `customer` for what the customer wrote, `staff` for people's replies and notes, `system` for Kesu's events.
    var who = "staff"
}

struct TrackingItem: Encodable {
    var at: String
    var kind: String
    var text: String
}

struct AttachmentItem: Encodable {
    var url: String
    var name: String
    var size: String
    var isImage: Bool
    var visible: Bool
    /// Uploaded by the customer on their page (or with their filing).
    var fromCustomer: Bool

    init(_ info: AttachmentInfo, urlPrefix: String) {
        url = urlPrefix + info.id.uuidString
        name = info.fileName
        size = info.size >= 1_048_576 ? "\(info.size / 1_048_576) MB" : "\(max(1, info.size / 1_024)) KB"
        isImage = info.isImage
        visible = info.customerVisible
        fromCustomer = info.byCustomer
    }
}

struct ShipmentCard: Encodable {
    var waybill: String
    var fee: String
    var insured: String
    var itemKind: String
    var route: String
    var tracking: [TrackingItem]
}

struct ComplaintPage: Encodable {
    var chrome: PageChrome
    var number: String
    var status: String
    var priority: String
    var urgent: Bool
    var category: String
    var channel: String
    var receivedAt: String
    var escalation: Int
    var flags: [String]
    var description: String
    var customer: String
    var phone: String
    var customerComplaints: Int
    var assignee: String
    var outlet: String
    var dueText: String
    var due: String
    var clocks: [ClockItem]
    var isRegulator: Bool
    var promiseDefault: String
    var compensation: CompensationCard
    var responsibility: ResponsibilityCard
    var proposals: [ProposalItem]
    var tasks: [TaskItem]
    var closure: ClosureCard
    var followUps: [String]
    var followUpOpen: Bool
    var outcomes: [Choice]
    var proposalKinds: [Choice]
    /// The signed-in user's authority limit, for the proposal form.
    var limit: String
    var transitions: [Choice]
    var needsClosure: Bool
    var timeline: [TimelineItem]
    var shipments: [ShipmentCard]
    var attachments: [AttachmentItem]
    var cannedReplies: [Choice]
    var canAssign: Bool
    var assignees: [Choice]
    var categories: [Choice]
    var subcategories: [SubcategoryGroup]
    var priorities: [Choice]
    var next: NextStep
    /// Allowed moves that are not the usual next ones.
    var otherMoves: [Choice]
    var canWork: Bool
    var unassigned: Bool
    /// The flash message of the action just done.
    var done: String?
    var historyText: String
    /// HQ and regions may fine the outlet for this complaint.
    var canFine = false
    /// The customer's malicious-complainant signals (staff only) and whether a reviewed listing is in force.
    var risk: [String] = []
    /// The model's two likeliest categories, while a person has not yet settled the category.
    var triage: TriageCard?
    var listed = false
    var customerID = ""
}

/// Formats times and ages the way the pages show them, in the company's time zone.
struct PageFormat {
    let language: Language
    let timeZone: TimeZone

    func time(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ n: Int?) -> String { let v = n ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute))"
    }

    /// A time as a `datetime-local` input wants it: `2026-11-24T18:00`.
    func inputTime(_ date: Date) -> String {
        time(date).replacingOccurrences(of: " ", with: "T")
    }

    /// Reads a `datetime-local` value (`2026-11-24T18:00`) in the company's time zone.
    func parseInputTime(_ text: String) -> Date? {
        let parts = text.trimmed.split(separator: "T")
        guard parts.count == 2, let day = LocalDay(String(parts[0])) else { return nil }
        let hm = parts[1].split(separator: ":").prefix(2).compactMap { Int($0) }
        guard hm.count == 2, (0..<24).contains(hm[0]), (0..<60).contains(hm[1]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: hm[0],
                                                  minute: hm[1]))
    }

    /// The time to promise by default: tomorrow at 18:00 (seed 004: promise a time, then answer by it).
    func defaultPromise(now: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let tomorrow = calendar.date(byAdding: .day, value: 1, to: now) ?? now
        let c = calendar.dateComponents([.month, .day], from: tomorrow)
        return language.text("promise_default", ["month": String(c.month ?? 1), "day": String(c.day ?? 1)])
    }

    func duration(_ seconds: TimeInterval) -> String {
        let minutes = Int(abs(seconds) / 60)
        let (d, h, m) = (minutes / 1_440, minutes / 60 % 24, minutes % 60)
        let values = ["days": String(d), "hours": String(h), "minutes": String(m)]
        return language.text(d > 0 ? "duration_days" : h > 0 ? "duration_hours" : "duration_minutes", values)
    }

    /// The badge of a complaint's nearest deadline: `ok`, `warn` (past its warning point) or `late`, and the time
    /// left or over, named by the clock.
    func due(at dueAt: Date?, warnAt: Date?, kind: String?, now: Date) -> (state: String, text: String) {
        guard let dueAt else { return ("ok", "—") }
        let name = kind.flatMap(ClockKind.init(rawValue:)).map(language.name(of:)) ?? ""
        let left = dueAt.timeIntervalSince(now)
        if left < 0 { return ("late", language.text("due_late", ["clock": name, "duration": duration(-left)])) }
        let state = (warnAt ?? dueAt) <= now ? "warn" : "ok"
        return (state, language.text("due_left", ["clock": name, "duration": duration(left)]))
    }
}

/// The sub-categories of one top-level category, as an `<optgroup>`.
struct SubcategoryGroup: Encodable {
    var category: String
    var label: String
    var options: [Choice]

    /// One group per category with its offered sub-categories (and the selected one, even when retired).
    static func all(_ subs: [SubcategoryModel], selected: String?, language: Language) -> [SubcategoryGroup] {
        ComplaintCategory.allCases.map { category in
            SubcategoryGroup(
                category: category.rawValue, label: language.name(of: category),
                options: subs.filter { $0.category == category.rawValue && ($0.active || $0.code == selected) }.map {
                    Choice(value: $0.code, label: language.pick(zh: $0.nameZh, en: $0.nameEn), selected: $0.code == selected)
                })
        }.filter { !$0.options.isEmpty }
    }

    /// How a complaint's classification reads: "快件损毁 · 内件损坏".
    static func label(category: String?, subcategory: String?, in subs: [SubcategoryModel], language: Language) -> String {
        let top = category.flatMap(ComplaintCategory.init(rawValue:)).map(language.name(of:)) ?? "—"
        guard let code = subcategory, let sub = subs.first(where: { $0.code == code }) else { return top }
        return "\(top) · \(language.pick(zh: sub.nameZh, en: sub.nameEn))"
    }
}

/// Investigations, closing and what follows it, on the complaint page.
struct ClosureCard: Encodable {
    var inquiries: [InquiryItem]
    /// The units one may ask (outlets, transfer centres, regions, HQ).
    var askUnits: [Choice]
    var askDefault: String
    var rootCauses: [Choice]
    var parties: [Choice]
    var rectificationUnits: [Choice]
    var rectifications: [RectificationItem]
    var isClosed: Bool
    var canMarkTypical: Bool
    var lesson: String
}

struct InquiryItem: Encodable {
    var id: String
    var number: String
    var unit: String
    var question: String
    var askedBy: String
    var due: String
    var state: String
    var stateCode: String
    var late: Bool
    var answer: String
    var answeredBy: String
    var canAnswer: Bool
}

struct RectificationItem: Encodable {
    var id: String
    var number: String
    var rootCause: String
    var action: String
    var unit: String
    var due: String
    var late: Bool
    var state: String
    var stateCode: String
    var doneText: String
    var canReport: Bool
    var canVerify: Bool
}

struct RectificationsPage: Encodable {
    var chrome: PageChrome
    var items: [RectificationItem]
    var includeVerified: Bool
}

struct TypicalCasesPage: Encodable {
    var chrome: PageChrome
    var categories: [Choice]
    var cases: [TypicalCaseItem]
}

struct TypicalCaseItem: Encodable {
    var number: String
    var category: String
    var lesson: String
    var by: String
    var at: String
    var description: String
    var resolution: String
    var party: String
    var rootCause: String
}
