import Foundation
import KesuCore
import KesuStore

/// 分类建议 on the complaint page: while a suggested category is unconfirmed, or the complaint waits in "needs
/// triage", the model's two likeliest categories with their confidence, each a one-click button that sets it.
struct TriageCard: Encodable {
    struct Option: Encodable {
        var value: String
        var label: String
        var confidence: String
        /// The category the complaint has now (the suggestion to confirm).
        var current: Bool
    }

    var needsTriage: Bool
    var options: [Option]

    /// The card for a complaint with these flags and this timeline, or nil when nothing waits for a person.
    static func of(flags: [String], category: String?, timeline: [ComplaintEventModel], language: Language) -> TriageCard? {
        let needs = flags.contains(ComplaintService.needsTriageFlag)
        guard needs || flags.contains(ComplaintService.suggestedFlag),
              let event = timeline.last(where: { $0.kind == "category_suggested" || $0.kind == "triage_needed" }),
              let after = event.afterFields
        else { return nil }
        let options = [("first", "firstConfidence"), ("second", "secondConfidence")].compactMap { key, conf -> Option? in
            guard let value = after[key], let c = ComplaintCategory(rawValue: value) else { return nil }
            let pct = (Double(after[conf] ?? "") ?? 0) * 100
            return Option(value: value, label: language.name(of: c), confidence: String(format: "%.0f%%", pct),
                          current: value == category)
        }
        return options.isEmpty ? nil : TriageCard(needsTriage: needs, options: options)
    }
}
