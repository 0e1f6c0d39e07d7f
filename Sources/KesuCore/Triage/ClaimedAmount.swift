import Foundation

/// 金额识别 — the sums of money a customer names: 1500元, ¥2,000, 3千块, 两万, 5k, 价值8000. Used to tell a
/// high-value case from a small one; a bare number (a waybill, a phone number, a date) is never taken for money.
public enum ClaimedAmount {
    static let digitsOf: [Character: Double] = [
        "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "几": 3,
    ]
    static let units: [Character: Double] = ["十": 10, "百": 100, "千": 1000, "万": 10_000]
    static let currency: [String] = ["元", "块", "rmb", "人民币", "圆"]
    /// Words that make the number after them a sum of money: 价值8000, 损失两千, 累计差了五千多.
    static let moneyBefore: [String] = ["货值", "保价", "损失", "差了", "累计", "共计", "总共", "赔偿"]

    /// The largest amount of money named in `text` (folded by `ChineseText.normalise`), in yuan.
    public static func largest(in text: String) -> Double? {
        let chars = Array(text.replacingOccurrences(of: ",", with: ""))
        var best: Double?
        var i = 0
        while i < chars.count {
            guard let (value, end) = number(at: i, in: chars) else { i += 1; continue }
            var j = end
            var amount = value
            // A multiplier after the digits: 3千, 2万, 5k, 1.5w.
            if j < chars.count, let unit = units[chars[j]], chars[j] != "十" { amount *= unit; j += 1 }
            else if j < chars.count, chars[j] == "k" { amount *= 1000; j += 1 }
            else if j < chars.count, chars[j] == "w" { amount *= 10_000; j += 1 }
            let after = String(chars[j..<min(chars.count, j + 3)])
            let before = String(chars[max(0, i - 3)..<i])
            let isMoney = currency.contains(where: after.hasPrefix) || after.hasPrefix("多元") || after.hasPrefix("多块")
                || before.hasSuffix("¥") || before.hasSuffix("￥") || before.hasSuffix("价值") || before.hasSuffix("赔")
                || moneyBefore.contains(where: before.hasSuffix)
            if isMoney { best = max(best ?? 0, amount) }
            i = max(j, i + 1)
        }
        return best
    }

    /// The number starting at `i`: Arabic digits (with a decimal point) or Chinese numerals (两千, 三万五, 上万).
    static func number(at i: Int, in chars: [Character]) -> (Double, Int)? {
        if chars[i].isASCII, chars[i].isNumber {
            if i > 0, chars[i - 1].isASCII, chars[i - 1].isLetter || chars[i - 1].isNumber { return nil }
            var j = i
            while j < chars.count, chars[j].isASCII, chars[j].isNumber || (chars[j] == "." && j > i) { j += 1 }
            guard let v = Double(String(chars[i..<j])) else { return nil }
            return (v, j)
        }
        if chars[i] == "上" || chars[i] == "好", i + 1 < chars.count, chars[i + 1] == "万" || chars[i + 1] == "千" {
            return (1, i + 1)
        }
        guard digitsOf[chars[i]] != nil || chars[i] == "十" else { return nil }
        var total = 0.0, section = 0.0, digit = 0.0
        var j = i
        while j < chars.count {
            if let d = digitsOf[chars[j]] { digit = d }
            else if let u = units[chars[j]] {
                if u == 10_000 { total = (total + section + digit) * u; section = 0 }
                else { section += (digit == 0 ? 1 : digit) * u }
                digit = 0
            } else { break }
            j += 1
        }
        let v = total + section + digit
        return v > 0 ? (v, j) : nil
    }

    /// An amount for a reason text: 1500, 2.5万 → 25000.
    public static func format(_ yuan: Double) -> String {
        yuan == yuan.rounded() ? String(Int(yuan)) : String(format: "%.2f", yuan)
    }
}
