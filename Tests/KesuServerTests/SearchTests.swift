import Foundation
import KesuCore
import KesuServer
import KesuStore
import XCTest

/// The search box: Chinese words of two characters, phrases, exclusions, field filters and dates, inside the
/// caller's scope, the same through the API and the queue page, on both databases.
final class SearchTests: KesuTestCase, @unchecked Sendable {
    /// The numbers the API finds for `q` as `user`; the queue page must find the same.
    func found(_ q: String, as user: String = "agent") async throws -> Set<String> {
        let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q
        let api = try await call(.GET, "/api/v1/complaints?q=\(encoded)&limit=200", as: user)
        XCTAssertEqual(api.status, .ok, "\(q): \(api.body)")
        let numbers = Set(((api.json["items"] as? [[String: Any]]) ?? []).compactMap { $0["number"] as? String })
        let page = try await call(.GET, "/complaints?q=\(encoded)",
                                  headers: [("Cookie", "kesu_session=\(try await session(user))")])
        var onPage: Set<String> = []
        if page.status == .seeOther, let location = page.headers.first(name: .location) {
            onPage = [String(location.split(separator: "/").last ?? "")]
        } else {
            XCTAssertEqual(page.status, .ok, q)
            let regex = try NSRegularExpression(pattern: "KS[0-9]{14,}")
            onPage = Set(regex.matches(in: page.body, range: NSRange(page.body.startIndex..., in: page.body))
                .compactMap { Range($0.range, in: page.body) }.map { String(page.body[$0]) })
        }
        XCTAssertEqual(numbers, onPage, "the page finds what the API finds for \(q)")
        return numbers
    }

    func expect(_ q: String, as user: String = "agent", _ expected: Set<String>, _ message: String = "",
                file: StaticString = #filePath, line: UInt = #line) async throws {
        let numbers = try await found(q, as: user)
        XCTAssertEqual(numbers, expected, "\(q): \(message)", file: file, line: line)
    }

    func complaint(_ description: String, category: String = "other", phone: String = "13700000001",
                   name: String = "周先生", waybills: [String] = []) async throws -> String {
        try await recordedNumber(["description": description, "category": category, "waybillNumbers": waybills,
                                  "customer": ["name": name, "phone": phone]])
    }

    func testTwoCharacterWordsPhrasesAndExclusions() async throws {
        let late = try await complaint("包裹延误三天了，客服一直不回复", category: "delay")
        let broken = try await complaint("外箱破损，里面的杯子碎了", category: "damage", phone: "13700000002")
        let both = try await complaint("延误了还破损，太过分", category: "damage", phone: "13700000003")
        let traditional = try await complaint("遞件延誤，沒有人處理", category: "delay", phone: "13700000004")
        let apart = try await complaint("延期了一周，误了大事", phone: "13700000005")

        try await expect("延误", [late, both, traditional], "a two-character word, in either script")
        try await expect("延誤", [late, both, traditional], "the query's traditional characters fold too")
        try await expect("延误 破损", [both], "every word must match")
        try await expect("延误 -破损", [late, traditional], "an excluded word")
        try await expect("-延误", [broken, apart], "exclusion alone")
        try await expect("\"杯子碎了\"", [broken], "a phrase")
        try await expect("\"碎了杯子\"", [], "a phrase is in order")
        try await expect("-\"客服一直\"", [broken, both, traditional, apart], "an excluded phrase")
        try await expect("碎", [broken], "one character")
        try await expect("周先生", [late, broken, both, traditional, apart], "the customer's name")
        try await expect("无此内容", [])
    }

    func testFieldFiltersAndDates() async throws {
        let damage = try await complaint("纸箱压坏了，东西也坏了", category: "damage")
        let delay = try await complaint("东西三天都没到", category: "delay", phone: "13700000002")
        _ = try await call(.PATCH, "/api/v1/complaints/\(delay)", as: "supervisor", json: ["outlet": "SH-PD"])

        try await expect("东西 category:damage", [damage])
        try await expect("东西 类别:delay", [delay], "field names in Chinese")
        try await expect("outlet:SH-PD", [delay])
        try await expect("东西 outlet:NO-SUCH", [], "an unknown outlet matches nothing")
        try await expect("status:received 东西", [damage, delay])
        try await expect("status:closed 东西", [])
        try await expect("channel:phone 东西", [damage, delay])
        try await expect("东西 channel:wechat", [])
        let today = LocalDayText.today()
        try await expect("东西 received:\(today)", [damage, delay])
        try await expect("东西 received<\(today)", [], "nothing before today")
        try await expect("东西 created>=\(today)", [damage, delay])
        try await expect("东西 received:2000-01-01..2000-12-31", [])
        try await expect("东西 notafield:x", [], "a word with a colon is searched for as text")
    }

    func testAnOutletNeverFindsAnotherOutletsComplaint() async throws {
        let pudong = try await complaint("快递柜取件码收不到", phone: "13700000011")
        let tianhe = try await complaint("快递柜取件码过期了", phone: "13700000012")
        _ = try await call(.PATCH, "/api/v1/complaints/\(pudong)", as: "supervisor", json: ["outlet": "SH-PD"])
        _ = try await call(.PATCH, "/api/v1/complaints/\(tianhe)", as: "supervisor", json: ["outlet": "GZ-TH"])
        try await expect("取件码", as: "agent", [pudong, tianhe])
        try await expect("取件码", as: "outlet-pd", [pudong])
        try await expect("过期", as: "outlet-pd", [], "the other outlet's words find nothing")
        try await expect("outlet:GZ-TH", as: "outlet-pd", [], "nor does naming the other outlet")
    }

    func testTheIndexHoldsWaybillsAndNumbersBesideWords() async throws {
        let a = try await complaint("单号查不到物流", waybills: ["SF1234500001"])
        let b = try await complaint("单号查不到物流，第二票", phone: "13700000002", waybills: ["SF1234500002"])
        try await expect("SF1234500002", [b], "a waybill goes straight to its complaint")
        try await expect("物流 sf1234500001", [a], "a waybill among words is a word")
        try await expect("物流 -sf1234500001", [b])
    }
}

extension SearchTests {
    func testCommonAndRareWordsAreLookedUpTwoWaysWithTheSameAnswer() async throws {
        let numbers = [
            try await complaint("派件员态度很差", phone: "13700000021"),
            try await complaint("态度差还骂人", phone: "13700000022"),
            try await complaint("没人接电话", phone: "13700000023"),
        ]
        for words in [[SearchQuery.Clause.word("态度")], [.phrase("态度很差")], [.word("电话")], [.word("没有的词")]] {
            var answers: [[String]] = []
            for common in [false, true] {
                var query = ComplaintListQuery()
                query.words = words
                query.wordsAreCommon = common
                answers.append(try await query.run(on: app.db).rows.map(\.number))
            }
            XCTAssertEqual(answers[0], answers[1], "\(words)")
            XCTAssertTrue(answers[0].allSatisfy(numbers.contains))
        }
        let rare = try await SearchIndex.isCommon([.word("态度")], on: app.db)
        XCTAssertFalse(rare, "three complaints are not many")
    }
}

/// Today in the company's time zone (Asia/Shanghai), as `yyyy-MM-dd`.
enum LocalDayText {
    static func today() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai") ?? .current
        let c = calendar.dateComponents([.year, .month, .day], from: Date())
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }
}
