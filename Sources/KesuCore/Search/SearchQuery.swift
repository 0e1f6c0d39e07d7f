import Foundation

/// 检索式 — what a person types into the search box, in the syntax a Zendesk user knows: words (all must match),
/// "quoted phrases", `-word` or `-"phrase"` to exclude, `field:value` filters (status, category, outlet, priority,
/// channel, assignee, flag, region; also in Chinese: 状态, 类别, 网点, 优先级, 渠道, 处理人, 标记, 区域), and date ranges on
/// when the complaint was received (`received>=2026-11-01`, `received<2026-12-01`, `received:2026-11-30`,
/// `received:2026-11-01..2026-11-30`; `created` and 受理 mean the same).
public struct SearchQuery: Equatable, Sendable {
    /// A part of the text to look for.
    public enum Clause: Equatable, Sendable {
        /// Every piece of the word must appear (a Han run as written, a word or number whole).
        case word(String)
        /// The pieces must appear in this order, next to each other.
        case phrase(String)
    }

    public var include: [Clause] = []
    public var exclude: [Clause] = []
    /// Field filters by their English name, values as typed (each field once; a later one wins).
    public var fields: [String: String] = [:]
    /// Received on or after this day, and before this one (the company's days).
    public var receivedFrom: LocalDay?
    public var receivedBefore: LocalDay?

    public init() {}

    /// The fields a filter may name, with their Chinese spellings.
    public static let fieldNames: [String: String] = [
        "status": "status", "状态": "status", "category": "category", "类别": "category", "分类": "category",
        "outlet": "outlet", "网点": "outlet", "priority": "priority", "优先级": "priority", "channel": "channel",
        "渠道": "channel", "assignee": "assignee", "处理人": "assignee", "flag": "flag", "标记": "flag",
        "region": "region", "区域": "region",
    ]
    static let dateNames: Set<String> = ["received", "created", "受理"]

    /// Whether the query looks for text at all (not only filters).
    public var hasText: Bool { !include.isEmpty || !exclude.isEmpty }

    /// Parses `text`; a `name:value` whose name is not a field is searched for as text.
    public static func parse(_ text: String) -> SearchQuery {
        var query = SearchQuery()
        for (raw, quoted, quoteNegated) in split(text) {
            var item = raw
            var negated = quoteNegated
            if !quoted, item.hasPrefix("-"), item.count > 1 { negated = true; item.removeFirst() }
            if quoted {
                guard !item.isEmpty else { continue }
                if negated { query.exclude.append(.phrase(item)) } else { query.include.append(.phrase(item)) }
                continue
            }
            if !negated, query.take(filter: item) { continue }
            guard !item.isEmpty else { continue }
            if negated { query.exclude.append(.word(item)) } else { query.include.append(.word(item)) }
        }
        return query
    }

    /// Records `item` as a field or date filter; false when it is not one.
    private mutating func take(filter item: String) -> Bool {
        let folded = item.replacingOccurrences(of: "：", with: ":")
        for op in [">=", "<=", ">", "<", ":"] {
            guard let range = folded.range(of: op) else { continue }
            let name = folded[..<range.lowerBound].lowercased()
            let value = String(folded[range.upperBound...])
            guard !name.isEmpty, !value.isEmpty else { return false }
            if Self.dateNames.contains(name) { return take(date: value, op: op) }
            guard op == ":", let field = Self.fieldNames[name] else { return false }
            fields[field] = value
            return true
        }
        return false
    }

    private mutating func take(date value: String, op: String) -> Bool {
        if op == ":", let dots = value.range(of: "..") {
            let from = LocalDay(String(value[..<dots.lowerBound]))
            let to = LocalDay(String(value[dots.upperBound...]))
            guard from != nil || to != nil else { return false }
            if let from { receivedFrom = from }
            if let to { receivedBefore = to.next }
            return true
        }
        guard let day = LocalDay(value) else { return false }
        switch op {
        case ":": receivedFrom = day; receivedBefore = day.next
        case ">=": receivedFrom = day
        case ">": receivedFrom = day.next
        case "<=": receivedBefore = day.next
        default: receivedBefore = day
        }
        return true
    }

    /// The items of `text`: runs between spaces, or between double quotes (straight or curly) as one quoted item;
    /// a `-` right before a quote excludes the phrase.
    static func split(_ text: String) -> [(text: String, quoted: Bool, negated: Bool)] {
        var items: [(text: String, quoted: Bool, negated: Bool)] = []
        var current = ""
        var inQuote = false
        var negated = false
        for ch in text {
            if ch == "\"" || ch == "“" || ch == "”" {
                if inQuote {
                    items.append((current, true, negated)); current = ""; inQuote = false; negated = false
                } else {
                    negated = current == "-"
                    if !current.isEmpty && !negated { items.append((current, false, false)) }
                    current = ""
                    inQuote = true
                }
            } else if !inQuote, ch.isWhitespace {
                if !current.isEmpty { items.append((current, false, false)) }
                current = ""
            } else {
                current.append(ch)
            }
        }
        if !current.isEmpty { items.append((current, inQuote, inQuote && negated)) }
        return items
    }
}
