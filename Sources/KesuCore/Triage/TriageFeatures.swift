import Foundation

/// What triage knows about a complaint besides its words: the shipment's tracking state, the item, the channel
/// and WeChat's ComplainType. Each becomes a feature the model weighs like a word.
public struct TriageContext: Sendable, Equatable {
    /// 物流状态 — what the tracking record says of the shipment, if Kesu has one.
    public enum Tracking: String, Sendable {
        /// Signed for (签收).
        case signed
        /// A problem parcel is registered (问题件登记).
        case problem
        /// In transit, with no scan for two days or more (停滞).
        case stuck
        /// In transit, moving.
        case moving
        /// Waybill known but never scanned (未揽收).
        case notPickedUp = "not_picked_up"
    }

    public var tracking: Tracking?
    public var itemKind: String?
    public var channel: Channel?
    /// WeChat's ComplainType (1004 … 1008) when the complaint came through WeChat's logistics assistant.
    public var weChatComplainType: Int?

    public init(tracking: Tracking? = nil, itemKind: String? = nil, channel: Channel? = nil, weChatComplainType: Int? = nil) {
        self.tracking = tracking
        self.itemKind = itemKind
        self.channel = channel
        self.weChatComplainType = weChatComplainType
    }

    /// The context written in the corpus's fourth column: `signed`, `problem`, `item=fresh_food`, `wx=1004` …,
    /// separated by commas.
    public init(corpusField: String) {
        self.init()
        for part in corpusField.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if let t = Tracking(rawValue: part) { tracking = t }
            else if part.hasPrefix("item=") { itemKind = String(part.dropFirst(5)) }
            else if part.hasPrefix("channel=") { channel = Channel(rawValue: String(part.dropFirst(8))) }
            else if part.hasPrefix("wx=") { weChatComplainType = Int(part.dropFirst(3)) }
        }
    }

    var features: [String] {
        var out: [String] = []
        if let tracking { out.append("ctx:track=\(tracking.rawValue)") }
        if let itemKind { out.append("ctx:item=\(itemKind)") }
        if let channel { out.append("ctx:channel=\(channel.rawValue)") }
        if let weChatComplainType { out.append("ctx:wx=\(weChatComplainType)") }
        return out
    }
}

/// The features of one text: its characters (`c:`) and character pairs (`b:`), its words (`w:`), the shape of its
/// numbers (`n:`), the categories whose domain words it uses (`lex:`), and the context (`ctx:`).
public enum TriageFeatures {
    public static func of(_ text: String, context: TriageContext = TriageContext()) -> [String] {
        let folded = ChineseText.normalise(text)
        var seen = Set<String>()
        var out: [String] = []
        func add(_ f: String) { if seen.insert(f).inserted { out.append(f) } }
        for piece in ChineseText.pieces(folded) {
            switch piece {
            case .han(let chars):
                for (i, c) in chars.enumerated() {
                    add("c:" + String(c))
                    if i + 1 < chars.count { add("b:" + String(c) + String(chars[i + 1])) }
                }
            case .word(let w):
                add("w:" + (w.count > 12 && w.contains(where: \.isNumber) ? "#code" : w))
            case .number(let n):
                add(n.count >= 11 ? "n:long" : "n:\(min(n.count, 6))")
            }
        }
        for (category, words) in TriageLexicon.words where words.contains(where: folded.contains) {
            add("lex:" + category.rawValue)
        }
        for f in context.features { add(f) }
        add("bias")
        return out
    }
}
