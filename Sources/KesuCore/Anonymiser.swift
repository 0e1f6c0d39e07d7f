import Foundation

/// Takes the customer out of a text that others read as teaching material (典型案例): the customer's name becomes
/// 客户, phone numbers are masked as staff without full access see them (138****5678), e-mail addresses keep only
/// their domain.
public enum Anonymiser {
    public static func anonymise(_ text: String, customerName: String?) -> String {
        var out = text
        if let name = customerName?.trimmed, !name.isEmpty {
            out = out.replacingOccurrences(of: name, with: "客户")
        }
        out = replace(#"(?<![0-9])(?:\+?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]){8}(?![0-9])"#, in: out) { match in
            PhoneNumber(match)?.masked ?? "***"
        }
        out = replace(#"(?<![0-9])0[0-9]{2,3}-?[0-9]{7,8}(?![0-9])"#, in: out) { match in
            PhoneNumber(match)?.masked ?? "***"
        }
        out = replace(#"[A-Za-z0-9._%+-]+@([A-Za-z0-9.-]+\.[A-Za-z]{2,})"#, in: out) { match in
            "***@" + (match.split(separator: "@").last.map(String.init) ?? "")
        }
        return out
    }

    private static func replace(_ pattern: String, in text: String, with make: (String) -> String) -> String {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return text }
        let ns = text as NSString
        var result = ""
        var last = 0
        for match in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            result += ns.substring(with: NSRange(location: last, length: match.range.location - last))
            result += make(ns.substring(with: match.range))
            last = match.range.location + match.range.length
        }
        return result + ns.substring(from: last)
    }
}
