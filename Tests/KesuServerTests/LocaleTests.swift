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
        // One pass: a value that looks like a placeholder stays as written, unknown placeholders are kept.
        XCTAssertEqual(Language.fill("{a} and {b}, {c} {", ["a": "{b}", "b": "两"]), "{b} and 两, {c} {")
        XCTAssertEqual(Language.fill("{a}{a}", ["a": "x"]), "xx")
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

    /// The entries Kesu writes itself as work goes on — a finding, a question and its answer, a proposal offered and
    /// accepted — read in each language from the fields they store, on the staff page and on the customer's page.
    func testKesusOwnEntriesReadInTheReadersLanguage() async throws {
        let number = try await recordedNumber()
        let found = try await call(.PUT, "/api/v1/complaints/\(number)/responsibility", as: "agent",
                                   json: ["party": "outlet", "unit": "SH-PD", "reason": "未按约定送货上门", "evidence": ["签收底单"]])
        XCTAssertEqual(found.status, .ok, found.body)
        let asked = try await call(.POST, "/api/v1/complaints/\(number)/inquiries", as: "agent",
                                   json: ["unit": "SH-PD", "question": "请核实签收"])
        let inquiry = try XCTUnwrap(asked.json["id"] as? String, asked.body)
        let answered = try await call(.POST, "/api/v1/complaints/\(number)/inquiries/\(inquiry)/answer", as: "outlet-pd",
                                      json: ["answer": "已联系客户"])
        XCTAssertEqual(answered.status, .ok, answered.body)
        for status in ["triaged", "proposing"] {
            let moved = try await call(.POST, "/api/v1/complaints/\(number)/transitions", as: "agent", json: ["to": status])
            XCTAssertEqual(moved.status, .ok, moved.body)
        }
        let proposed = try await call(.POST, "/api/v1/complaints/\(number)/proposals", as: "agent",
                                      json: ["kind": "coupon", "amountFen": 1_000, "description": "补偿优惠券"])
        let proposal = try XCTUnwrap(proposed.json["id"] as? String, proposed.body)
        for (action, body) in [("offer", nil), ("decision", ["accepted": true])] as [(String, [String: Any]?)] {
            let step = try await call(.POST, "/api/v1/complaints/\(number)/proposals/\(proposal)/\(action)", as: "agent", json: body)
            XCTAssertEqual(step.status, .ok, step.body)
        }
        let cookie = try await session("agent")
        func page(_ lang: String) async throws -> String {
            try await call(.GET, "/complaints/\(number)", headers: [("Cookie", "kesu_session=\(cookie); kesu_lang=\(lang)")]).body
        }
        let zh = try await page("zh"), en = try await page("en")
        for text in ["网点：未按约定送货上门（证据：签收底单）", "前答复：请核实签收", "答复：已联系客户", "优惠券 ¥10.00：补偿优惠券",
                     "处理方案：优惠券 ¥10.00。补偿优惠券", "客户接受方案：优惠券（电话确认，"] {
            XCTAssertTrue(zh.contains(text), "zh: \(text)")
        }
        for text in ["outlet: 未按约定送货上门 (evidence: 签收底单)", "to answer by", "answered: 已联系客户",
                     "Our solution: coupon ¥10.00. 补偿优惠券", "The customer accepted: coupon (confirmed by phone, recorded by"] {
            XCTAssertTrue(en.contains(text), "en: \(text)")
        }
        for chinese in ["处理方案：", "客户接受方案", "前答复", "（证据：", "：补偿优惠券"] {
            let at = en.range(of: chinese).map { en[..<$0.upperBound].suffix(200) } ?? ""
            XCTAssertFalse(en.contains(chinese), "en shows Kesu's Chinese \(chinese): \(at)")
        }
    }

    /// An error on a page says, in the reader's language and the form's words, what is wrong and that nothing was
    /// saved; the services' English shows on English pages only.
    func testPageErrorsSpeakTheReadersLanguage() async throws {
        let number = try await recordedNumber()
        let cookie = try await session("agent")
        let page = try await call(.GET, "/complaints/\(number)", headers: [("Cookie", "kesu_session=\(cookie)")])
        let token = try formToken(in: page.body)
        func post(_ lang: String, _ form: String) async throws -> Reply {
            try await call(.POST, "/complaints/\(number)/responsibility", raw: "_csrf=\(token)&" + form,
                           headers: [("Cookie", "kesu_session=\(cookie); kesu_lang=\(lang)"),
                                     ("Content-Type", "application/x-www-form-urlencoded")])
        }
        let wrongZh = try await post("zh", "party=outlet&unit=&reason=%20%20")
        XCTAssertEqual(wrongZh.status, .unprocessableEntity, wrongZh.body)
        for text in ["本次没有保存任何内容", "原因：请写明原因（2–500 个字）。", "单位：请选择存在的单位"] {
            XCTAssertTrue(wrongZh.body.contains(text), "zh: \(text)")
        }
        for english in ["must be", "The responsibility cannot be recorded", "name the outlet"] {
            XCTAssertFalse(wrongZh.body.contains(english), "zh shows \(english)")
        }
        let wrongEn = try await post("en", "party=outlet&unit=&reason=%20%20")
        for text in ["The responsibility cannot be recorded", "reason: Give the reason (2 to 500 characters)."] {
            XCTAssertTrue(wrongEn.body.contains(text), "en: \(text)")
        }
        let api = try await call(.GET, "/api/v1/complaints/\(number)", as: "agent")
        XCTAssertNil(api.json["responsibility"] as? [String: Any], "nothing was saved")
    }

    /// The language switch comes back to the page it was used on; an error page keeps the menu.
    func testTheLanguageSwitchKeepsThePageAndErrorsKeepTheMenu() async throws {
        let number = try await recordedNumber()
        let cookie = try await session("agent")
        let page = try await call(.GET, "/complaints/\(number)?tab=a&x=1", headers: [("Cookie", "kesu_session=\(cookie)")])
        let next = "/complaints/\(number)%3Ftab%3Da%26x%3D1"
        XCTAssertTrue(page.body.contains("href=\"/lang/en?next=\(next)\""), page.body)
        let switched = try await call(.GET, "/lang/en?next=\(next)", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertEqual(switched.headers.first(name: .location), "/complaints/\(number)?tab=a&x=1")
        let missing = try await call(.GET, "/complaints/KS20991231999999", headers: [("Cookie", "kesu_session=\(cookie)")])
        XCTAssertEqual(missing.status, .notFound)
        XCTAssertTrue(missing.body.contains("href=\"/notifications\""), "the menu is there")
        XCTAssertTrue(missing.body.contains("客服 李娜"), "and who is logged in")
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
