import Foundation
import KesuCore
import Leaf
import LeafKit
import NIOConcurrencyHelpers

/// 语言包 — Kesu's words, one catalog file a language under `Locales/` in the resource folder (`zh-CN.strings`,
/// `en.strings`): a comment for translators, then `"key" = "text";`, with `{name}` placeholders. Loaded once at
/// start-up; start-up refuses when a catalog is missing, unreadable, or lacks a key the other has.
package enum LocaleCatalog {
    /// The file of each language.
    static func file(of language: Language) -> String {
        switch language {
        case .zh: "zh-CN.strings"
        case .en: "en.strings"
        }
    }

    private static let tables = NIOLockedValueBox<[Language: [String: String]]>([:])
    /// The same tables in Leaf's form, made once: every page reads its words from them (`chrome.t.key`), and
    /// turning hundreds of entries into `LeafData` for each page was a good part of a page's time.
    private static let leafTables = NIOLockedValueBox<[Language: LeafData]>([:])

    /// Reads both catalogs from `folder` and makes them the words of every page.
    package static func install(from folder: String) throws {
        var loaded: [Language: [String: String]] = [:]
        for language in Language.allCases {
            let path = (folder as NSString).appendingPathComponent(file(of: language))
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw KesuError(.invalidInput, "Kesu cannot start: the word catalog \(path) is missing.")
            }
            loaded[language] = try parse(text, name: path)
        }
        let zh = Set(loaded[.zh]?.keys ?? [:].keys), en = Set(loaded[.en]?.keys ?? [:].keys)
        guard zh == en else {
            let odd = zh.symmetricDifference(en).sorted().prefix(10).joined(separator: ", ")
            throw KesuError(.invalidInput, "Kesu cannot start: the catalogs differ in keys (\(odd)).")
        }
        tables.withLockedValue { $0 = loaded }
        leafTables.withLockedValue { $0 = loaded.mapValues { .dictionary($0.mapValues(LeafData.string)) } }
    }

    /// The table of `language` (empty before ``install(from:)``).
    static func table(_ language: Language) -> [String: String] {
        tables.withLockedValue { $0[language] ?? [:] }
    }

    /// The table of `language` as Leaf reads it.
    static func leafTable(_ language: Language) -> LeafData {
        leafTables.withLockedValue { $0[language] ?? .dictionary([:]) }
    }

    /// The entries of a catalog file; throws naming the line that is not `"key" = "text";`.
    package static func parse(_ text: String, name: String = "catalog") throws -> [String: String] {
        var entries: [String: String] = [:]
        var inComment = false
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if inComment {
                guard let end = line.range(of: "*/") else { continue }
                inComment = false
                line = String(line[end.upperBound...]).trimmingCharacters(in: .whitespaces)
            }
            if line.hasPrefix("/*") {
                guard let end = line.range(of: "*/") else { inComment = true; continue }
                line = String(line[end.upperBound...]).trimmingCharacters(in: .whitespaces)
            }
            if line.isEmpty || line.hasPrefix("//") { continue }
            guard let (key, value) = entry(line) else {
                throw KesuError(.invalidInput, "\(name) line \(number + 1) is not \"key\" = \"text\";")
            }
            entries[key] = value
        }
        return entries
    }

    /// `"key" = "text";` with `\"`, `\\` and `\n` escapes.
    private static func entry(_ line: String) -> (String, String)? {
        var rest = Substring(line)
        func quoted() -> String? {
            guard rest.first == "\"" else { return nil }
            rest = rest.dropFirst()
            var out = ""
            while let c = rest.first {
                rest = rest.dropFirst()
                if c == "\"" { return out }
                if c == "\\", let next = rest.first {
                    rest = rest.dropFirst()
                    out.append(next == "n" ? "\n" : next)
                } else {
                    out.append(c)
                }
            }
            return nil
        }
        guard let key = quoted() else { return nil }
        rest = rest.drop { $0 == " " }
        guard rest.first == "=" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " }
        guard let value = quoted(), rest.trimmingCharacters(in: .whitespaces) == ";" else { return nil }
        return (key, value)
    }

    /// The `{name}` placeholders in a text.
    package static func placeholders(in text: String) -> Set<String> {
        var found: Set<String> = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            found.insert(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return found
    }
}

/// Core values shown by name: each is the catalog key `prefix.rawValue`.
protocol CatalogNamed: RawRepresentable where RawValue == String {
    static var catalogPrefix: String { get }
}

extension Role: CatalogNamed { static let catalogPrefix = "role" }
extension ComplaintStatus: CatalogNamed { static let catalogPrefix = "status" }
extension ComplaintCategory: CatalogNamed { static let catalogPrefix = "category" }
extension ResponsibleParty: CatalogNamed { static let catalogPrefix = "party" }
extension ClockKind: CatalogNamed { static let catalogPrefix = "clock" }
extension Incident: CatalogNamed { static let catalogPrefix = "incident" }
extension ProposalKind: CatalogNamed { static let catalogPrefix = "proposal_kind" }
extension TaskKind: CatalogNamed { static let catalogPrefix = "task_kind" }
extension FollowUpOutcome: CatalogNamed { static let catalogPrefix = "follow_up" }
extension ComplaintClock.State: CatalogNamed { static let catalogPrefix = "clock_state" }
extension EscalationAction: CatalogNamed { static let catalogPrefix = "action" }
extension Channel: CatalogNamed { static let catalogPrefix = "channel" }

/// `#t("key")` in a template: the catalog's text in the reader's language; `#t("key", "name", value, …)` fills
/// placeholders (escaped like any value).
struct TextTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string else { throw LeafError(.unknownError("#t needs a key")) }
        let language = ctx.request.map(WebSession.language) ?? .zh
        var values: [String: String] = [:]
        var rest = ctx.parameters.dropFirst()
        while rest.count >= 2, let name = rest.first?.string {
            values[name] = rest.dropFirst().first?.string ?? ""
            rest = rest.dropFirst(2)
        }
        return .string(language.text(key, values))
    }
}
