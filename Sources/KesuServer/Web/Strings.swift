import Foundation
import KesuCore

/// 界面语言 — the language of the staff pages: Chinese first, English second.
package enum Language: String, CaseIterable, Sendable {
    case zh, en

    /// The language an API caller asks for with `Accept-Language` (`en…` for English); Chinese otherwise.
    package static func accepted(by header: String?) -> Language {
        let first = header?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return first.hasPrefix("en") ? .en : .zh
    }

    /// The words of the pages, by key, from this language's catalog (``LocaleCatalog``); both have the same keys.
    package var strings: [String: String] { LocaleCatalog.table(self) }

    /// The catalog's text for `key` with its `{placeholders}` filled in; the key itself when it is missing.
    package func text(_ key: String, _ values: [String: String] = [:]) -> String {
        let template = strings[key] ?? key
        guard !values.isEmpty, template.contains("{") else { return template }
        return Self.fill(template, values)
    }

    /// `template` with each `{name}` that `values` has replaced by its value, in one pass: a value is never read
    /// again for placeholders (a customer's name that says `{status}` stays as written), and unknown ones are kept.
    /// Pages fill thousands of these (every duration and deadline in a list), so no Foundation string search here.
    static func fill(_ template: String, _ values: [String: String]) -> String {
        var out = ""
        out.reserveCapacity(template.utf8.count + 32)
        var rest = template[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            if let value = values[String(rest[rest.index(after: open)..<close])] { out += value } else { out += rest[open...close] }
            rest = rest[rest.index(after: close)...]
        }
        out += rest
        return out
    }

    /// Whether readers of this language read the services' own messages as they are: they are written in English.
    /// Readers of other languages read the catalog's sentence for the error's code and each field instead.
    package var readsServiceMessages: Bool { self == .en }

    /// How staff and customers see a core value (a status, category, role, clock…) in this language.
    func name<T: CatalogNamed>(of value: T) -> String {
        strings[T.catalogPrefix + "." + value.rawValue] ?? value.rawValue.replacingOccurrences(of: "_", with: " ")
    }

    /// One of two texts kept in the database for both languages (sub-category names, explanations).
    package func pick(zh: String, en: String) -> String {
        switch self {
        case .zh: zh
        case .en: en
        }
    }

    /// The other language, for the switch in the page header.
    package var other: Language {
        switch self {
        case .zh: .en
        case .en: .zh
        }
    }
}
