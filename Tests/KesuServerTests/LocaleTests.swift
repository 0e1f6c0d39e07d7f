import Foundation
import KesuCore
@testable import KesuServer
import XCTest

/// The word catalogs: one file a language, the same keys and placeholders in both, a comment for every entry.
final class LocaleTests: KesuTestCase, @unchecked Sendable {
    func catalogText(_ language: Language) throws -> String {
        let folder = try ResourceFolder.locate(try Self.config(dataDirectory: dataDirectory)).locales
        return try String(contentsOfFile: folder + "/" + LocaleCatalog.file(of: language), encoding: .utf8)
    }

    func testBothCatalogsHaveTheSameKeysAndPlaceholdersAndEveryEntryIsExplained() throws {
        let zh = try LocaleCatalog.parse(try catalogText(.zh)), en = try LocaleCatalog.parse(try catalogText(.en))
        XCTAssertGreaterThan(zh.count, 300)
        XCTAssertEqual(Set(zh.keys), Set(en.keys))
        for (key, text) in zh {
            XCTAssertEqual(LocaleCatalog.placeholders(in: text), LocaleCatalog.placeholders(in: en[key] ?? ""), key)
            XCTAssertFalse(text.isEmpty, key)
        }
        for language in Language.allCases {
            var last = ""
            for line in try catalogText(language).split(separator: "\n") {
                if line.hasPrefix("\"") { XCTAssertTrue(last.hasSuffix("*/"), "\(language): \(line) has no comment") }
                last = String(line)
            }
        }
    }

    func testEveryCoreValueHasANameInBothLanguages() {
        func check<T: CatalogNamed & CaseIterable>(_ type: T.Type) {
            for value in T.allCases {
                let key = T.catalogPrefix + "." + value.rawValue
                XCTAssertNotNil(Language.zh.strings[key], key)
                XCTAssertNotNil(Language.en.strings[key], key)
                XCTAssertNotEqual(Language.zh.name(of: value), Language.en.name(of: value), key)
            }
        }
        check(Role.self); check(ComplaintStatus.self); check(ComplaintCategory.self); check(ResponsibleParty.self)
        check(ClockKind.self); check(Incident.self); check(ProposalKind.self); check(TaskKind.self)
        check(FollowUpOutcome.self); check(EscalationAction.self)
    }

    func testPlaceholdersAreFilledAndAMalformedLineIsNamed() {
        XCTAssertEqual(Language.en.text("due_late", ["clock": "first reply", "duration": "5m"]), "first reply late 5m")
        XCTAssertEqual(Language.zh.text("due_left", ["clock": "首次响应", "duration": "3小时"]), "首次响应 剩 3小时")
        XCTAssertThrowsError(try LocaleCatalog.parse("/* ok */\n\"a\" = \"b\";\n\"c\" = d;\n", name: "x")) { error in
            XCTAssertTrue(String(describing: error).contains("x line 3"), String(describing: error))
        }
        XCTAssertEqual(try LocaleCatalog.parse("/* a\n b */\n\"k\" = \"say \\\"hi\\\"\";\n"), ["k": "say \"hi\""])
    }

    func testTheTextTagSpeaksTheReadersLanguage() async throws {
        let zh = try await call(.GET, "/login", headers: [("Cookie", "kesu_lang=zh")])
        XCTAssertTrue(zh.body.contains("<h1>客诉 · 登录</h1>"), zh.body)
        let en = try await call(.GET, "/login", headers: [("Cookie", "kesu_lang=en")])
        XCTAssertTrue(en.body.contains("<h1>Kesu · Log in</h1>"), en.body)
        XCTAssertTrue(en.body.contains(">Password</label>"))
    }
}
