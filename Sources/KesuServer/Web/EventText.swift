import Foundation
import KesuCore
import KesuStore

/// How a timeline event reads in the reader's language: its kind by name, and what changed with every value by
/// name (statuses, categories, clocks, channels…), from the kind and fields the event stores. Notes people wrote
/// are shown as written; the sentences Kesu itself wrote before events kept their fields are shown as they were.
struct EventText {
    let language: Language
    let format: PageFormat
    /// The complaint's channel, which the first event is told by.
    let channel: String

    /// Fields that name records (shown by the records themselves, not as codes on the timeline).
    static let hidden: Set<String> = ["proposal", "task", "inquiry", "rectification", "why", "parcel"]

    func kind(of event: ComplaintEventModel) -> String {
        language.strings["event." + event.kind] ?? event.kind.replacingOccurrences(of: "_", with: " ")
    }

    /// The event's text: the generated sentence for kinds Kesu writes itself, else the note and what changed.
    func text(of event: ComplaintEventModel) -> String {
        let after = event.afterFields ?? [:]
        switch event.kind {
        case "created":
            let name = Channel(rawValue: channel).map(language.name(of:)) ?? channel
            return language.text("event_created_text", ["channel": name])
        case "category_suggested" where after["category"] != nil:
            return language.text("event_category_suggested_text", ["category": value("category", after["category"] ?? "")])
        case "promise_made" where after["dueAt"] != nil && (after["text"] != nil || event.note?.contains("：") != true):
            // The words the agent added are kept (events from before they were stored apart show their note).
            let promise = language.text("event_promise_text", ["time": value("dueAt", after["dueAt"] ?? "")])
            return [promise, after["text"]].compactMap { $0 }.joined(separator: language.text("change.join"))
        case let kind where (kind == "clock_warning" || kind == "clock_breached")
            && after["clock"] != nil && after["dueAt"] != nil:
            return language.text("event_\(event.kind)_text", ["clock": value("clock", after["clock"] ?? ""),
                                                                "due": value("dueAt", after["dueAt"] ?? "")])
        case "escalated" where after["clock"] != nil:
            let level = Int(after["escalationLevel"] ?? "").map(Escalation.levelKey) ?? "hq"
            return language.text("event_escalated_text", ["clock": value("clock", after["clock"] ?? ""),
                                                          "level": language.text("level." + level)])
        case "assigned" where after["clock"] != nil && after["reason"] != nil:
            return language.text("event_reassigned_\(after["reason"] == "warning" ? "warning" : "breach")_text",
                                 ["clock": value("clock", after["clock"] ?? ""), "assignee": after["assignee"] ?? ""])
        case "clocks_retimed":
            let clocks = after.sorted { $0.key < $1.key }.map { kind, due in
                language.text("change.one", ["field": value("clock", kind), "value": due])
            }
            return ([language.text("event_clocks_retimed_text")] + clocks).joined(separator: language.text("change.join"))
        default:
            // Kinds Kesu writes itself read from the catalog's `event_<kind>[_<why>]_text`, filled from the fields.
            let key = "event_\(event.kind)" + (after["why"].map { "_" + $0 } ?? "") + "_text"
            if let template = language.strings[key], let filled = fill(template, from: Self.picked(after, in: language)) {
                let changed = event.beforeFields.flatMap { change(of: event, only: Set($0.keys)) }
                return [filled, changed].compactMap { $0 }.joined(separator: " · ")
            }
            return [event.note, change(of: event)].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · ")
        }
    }

    /// A field kept in both languages (`reasonZh`, `reasonEn` — names from an editable list) read as `reason` in the
    /// reader's.
    static func picked(_ fields: [String: String], in language: Language) -> [String: String] {
        var fields = fields
        for (zhKey, value) in fields where zhKey.hasSuffix("Zh") {
            let name = String(zhKey.dropLast(2))
            if fields[name] == nil { fields[name] = language.pick(zh: value, en: fields[name + "En"] ?? value) }
        }
        return fields
    }

    /// `template` with each `{field}` replaced by the field's value as the reader knows it. A part in `[…]` is left
    /// out when a field in it is missing or empty; nil when a field outside one is (an event from before the field
    /// was stored, which then reads as written).
    func fill(_ template: String, from fields: [String: String]) -> String? {
        var out = ""
        var optional: String?
        var optionalComplete = true
        var i = template.startIndex
        while i < template.endIndex {
            let c = template[i]
            if c == "[" {
                optional = ""
                optionalComplete = true
            } else if c == "]", let part = optional {
                if optionalComplete { out += part }
                optional = nil
            } else if c == "{", let close = template[i...].firstIndex(of: "}") {
                let name = String(template[template.index(after: i)..<close])
                let shown = fields[name].flatMap { $0.isEmpty ? nil : value(name, $0) }
                if optional != nil {
                    if let shown { optional?.append(shown) } else { optionalComplete = false }
                } else {
                    guard let shown else { return nil }
                    out += shown
                }
                i = template.index(after: close)
                continue
            } else if optional != nil {
                optional?.append(c)
            } else {
                out.append(c)
            }
            i = template.index(after: i)
        }
        return out
    }

    /// "状态：已受理 → 已分派" for each changed field.
    func change(of event: ComplaintEventModel, only fields: Set<String>? = nil) -> String? {
        guard let after = event.afterFields else { return nil }
        let before = event.beforeFields ?? [:]
        let parts = after.sorted { $0.key < $1.key }
            .filter { !Self.hidden.contains($0.key) && fields?.contains($0.key) != false }.map { field, new in
            let label = language.strings["field." + field] ?? field
            let old = before[field].map { value(field, $0) + " → " } ?? ""
            return language.text("change.one", ["field": label, "value": old + value(field, new)])
        }
        return parts.isEmpty ? nil : parts.joined(separator: language.text("change.join"))
    }

    /// A stored value as the reader knows it.
    func value(_ field: String, _ raw: String) -> String {
        switch field {
        case "status": ComplaintStatus(rawValue: raw).map(language.name(of:)) ?? raw
        case "category": ComplaintCategory(rawValue: raw).map(language.name(of:)) ?? raw
        case "clock": ClockKind(rawValue: raw).map(language.name(of:)) ?? raw
        case "outcome": FollowUpOutcome(rawValue: raw).map(language.name(of:)) ?? raw
        case "party": ResponsibleParty(rawValue: raw).map(language.name(of:)) ?? raw
        case "proposalKind": ProposalKind(rawValue: raw).map(language.name(of:)) ?? raw
        case "via", "followUpVia": language.strings[field + "." + raw] ?? raw
        case "steps":
            raw.split(separator: ",").enumerated().map { i, step in
                "\(i + 1). " + (TaskKind(rawValue: String(step)).map(language.name(of:)) ?? String(step))
            }.joined(separator: language.text("change.join"))
        case "channel": Channel(rawValue: raw).map(language.name(of:)) ?? language.strings["channel_out." + raw] ?? raw
        case "state": language.strings["proposal_" + raw] ?? raw
        case "amountFen": Int64(raw).map(CompensationEngine.yuan) ?? raw
        case "notice": language.strings["notice_kind." + raw] ?? raw
        case "dueAt", "openedAt", "until": Int64(raw).map { format.time(Date(millis: $0)) } ?? raw
        default: raw
        }
    }
}
