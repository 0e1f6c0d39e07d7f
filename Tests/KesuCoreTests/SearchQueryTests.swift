import KesuCore
import XCTest

final class SearchQueryTests: XCTestCase {
    func testTheSyntaxAZendeskUserKnows() {
        let q = SearchQuery.parse("延误  \"没有 送货\" -破损 -\"态度差\" status:investigating 网点：SH-PD received>=2026-11-01 received<2026-12-01")
        XCTAssertEqual(q.include, [.word("延误"), .phrase("没有 送货")])
        XCTAssertEqual(q.exclude, [.word("破损"), .phrase("态度差")])
        XCTAssertEqual(q.fields, ["status": "investigating", "outlet": "SH-PD"])
        XCTAssertEqual(q.receivedFrom, LocalDay(year: 2026, month: 11, day: 1))
        XCTAssertEqual(q.receivedBefore, LocalDay(year: 2026, month: 12, day: 1))
    }

    func testDatesAndWordsThatOnlyLookLikeFilters() {
        let day = SearchQuery.parse("received:2026-02-28")
        XCTAssertEqual(day.receivedFrom, LocalDay(year: 2026, month: 2, day: 28))
        XCTAssertEqual(day.receivedBefore, LocalDay(year: 2026, month: 3, day: 1))
        let range = SearchQuery.parse("created:2026-11-01..2026-11-30")
        XCTAssertEqual(range.receivedBefore, LocalDay(year: 2026, month: 12, day: 1))
        let after = SearchQuery.parse("受理>2026-12-31")
        XCTAssertEqual(after.receivedFrom, LocalDay(year: 2027, month: 1, day: 1))
        let words = SearchQuery.parse("时间:下午3点 received:昨天 - \"-号\"")
        XCTAssertEqual(words.include, [.word("时间:下午3点"), .word("received:昨天"), .word("-"), .phrase("-号")])
        XCTAssertTrue(words.fields.isEmpty)
        XCTAssertNil(words.receivedFrom)
        XCTAssertEqual(SearchQuery.parse("“杯子碎了”").include, [.phrase("杯子碎了")], "curly quotes")
    }

    func testDocumentsAreCharacterPairsWithWordsAndNumbersWhole() {
        let doc = SearchTokens.document(["KS2026120100001", "快递延誤，单号SF123456 赔100.5元", "周"])
        XCTAssertEqual(doc.terms, ["ks2026120100001", "快递", "递延", "延误", "单号", "sf123456", "赔", "100.5", "元", "周"])
        XCTAssertEqual(doc.chars, ["快", "递", "延", "误", "单", "号", "赔", "元", "周"])
    }

    func testWhatAQueryNeeds() {
        XCTAssertEqual(SearchTokens.needs(.word("延误")), [.sequence(["延误"])])
        XCTAssertEqual(SearchTokens.needs(.word("没有送货")), [.sequence(["没有", "有送", "送货"])])
        XCTAssertEqual(SearchTokens.needs(.word("碎")), [.char("碎")])
        XCTAssertEqual(SearchTokens.needs(.word("SF123延误")), [.sequence(["sf123"]), .sequence(["延误"])])
        XCTAssertEqual(SearchTokens.needs(.phrase("杯子 碎了")), [.sequence(["杯子", "碎了"])])
        XCTAssertEqual(SearchTokens.needs(.phrase("碎")), [.char("碎")])
        XCTAssertEqual(SearchTokens.needs(.word("，。！")), [])
    }
}
