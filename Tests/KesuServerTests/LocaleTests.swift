import Foundation
import SQLKit
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

    /// One complaint's stored events, rendered on the staff page in each language.
    func testOneTimelineReadsInBothLanguagesWithoutRawCodes() async throws {
        let number = try await recordedNumber(["channel": "regulator"])
        let moved = try await call(.POST, "/api/v1/complaints/\(number)/transitions", as: "agent", json: ["to": "triaged"])
        XCTAssertEqual(moved.status, .ok, moved.body)
        let due = ISO8601DateFormatter().string(from: Date() + 3 * 3_600)
        let promised = try await call(.POST, "/api/v1/complaints/\(number)/promises", as: "agent", json: ["dueAt": due, "note": "网点主管回电"])
        XCTAssertEqual(promised.status, .created, promised.body)
        let cookie = try await session("agent")
        func page(_ lang: String) async throws -> String {
            try await call(.GET, "/complaints/\(number)", headers: [("Cookie", "kesu_session=\(cookie); kesu_lang=\(lang)")]).body
        }
        let zh = try await page("zh"), en = try await page("en")
        for text in ["经邮管局转办受理", "状态：已受理 → 已分派", ">状态变更<", ">承诺回复<", "我们承诺在", "网点主管回电", ">邮管局转办<"] {
            XCTAssertTrue(zh.contains(text), "zh: \(text)")
        }
        for raw in [">status_changed<", ">created<", ">promise_made<", "received → triaged", "status:", "regulator<"] {
            XCTAssertFalse(zh.contains(raw), "zh shows the raw \(raw)")
        }
        for text in ["Received by regulator", "status: received → triaged", ">status changed<", "We will contact you by", "网点主管回电"] {
            XCTAssertTrue(en.contains(text), "en: \(text)")
        }
        XCTAssertFalse(en.contains("已受理 → 已分派"))
    }

    /// A notification is stored as its kind and parameters and read in each reader's language, on the page and in
    /// the API; one stored before there were parameters reads as it was written.
    func testNotificationsReadInTheReadersLanguage() async throws {
        let number = try await recordedNumber()
        let asked = try await call(.POST, "/api/v1/complaints/\(number)/inquiries", as: "agent",
                                   json: ["unit": "SH-PD", "question": "请核实签收"])
        XCTAssertEqual(asked.status, .created, asked.body)
        try await deliverJobs()
        let stored = try await app.db.sql.raw("SELECT params, text FROM notifications WHERE kind = 'inquiry'").first()
        XCTAssertEqual(try stored?.decode(column: "text", as: String.self), "", "no sentence is stored")
        XCTAssertTrue(try stored?.decode(column: "params", as: String?.self)?.contains(number) == true)
        try await app.db.sql.raw("""
            INSERT INTO notifications (id, user_id, kind, text, created_at)
            SELECT \(bind: UUID()), user_id, 'legacy', '旧通知原文', \(bind: Date()) FROM notifications WHERE kind = 'inquiry'
            """).run()

        let cookie = try await session("outlet-pd")
        func page(_ lang: String) async throws -> String {
            try await call(.GET, "/notifications", headers: [("Cookie", "kesu_session=\(cookie); kesu_lang=\(lang)")]).body
        }
        let zh = try await page("zh"), en = try await page("en")
        XCTAssertTrue(zh.contains("\(number) 调查任务（"), zh)
        XCTAssertTrue(zh.contains("前答复）：请核实签收"))
        XCTAssertTrue(en.contains("\(number): investigation, answer by "), en)
        XCTAssertFalse(en.contains("调查任务"))
        XCTAssertTrue(en.contains("旧通知原文") && zh.contains("旧通知原文"), "old notifications as they were")

        let api = try await call(.GET, "/api/v1/notifications", as: "outlet-pd", headers: [("Accept-Language", "en-US,en;q=0.9")])
        let texts = (api.json["items"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
        XCTAssertTrue(texts.contains { $0.hasPrefix("\(number): investigation, answer by ") }, "\(texts)")
        let chinese = try await call(.GET, "/api/v1/notifications", as: "outlet-pd")
        XCTAssertTrue((chinese.json["items"] as? [[String: Any]] ?? []).contains {
            ($0["text"] as? String)?.hasPrefix("\(number) 调查任务") == true
        })
    }
}
