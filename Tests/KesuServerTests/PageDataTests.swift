import Foundation
import LeafKit
@testable import KesuServer
import XCTest

/// Rows handed to Leaf as they are (`LeafDataRepresentable`, for speed) carry exactly the fields their `Encodable`
/// form has, with the same values, so a field added to one and not the other fails here instead of rendering empty.
final class PageDataTests: XCTestCase {
    func assertSameFields<T: Encodable & LeafDataRepresentable>(_ value: T, file: StaticString = #filePath, line: UInt = #line) throws {
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as? [String: Any] ?? [:]
        guard let leaf = value.leafData.dictionary else { return XCTFail("not a dictionary", file: file, line: line) }
        XCTAssertEqual(Set(leaf.keys), Set(json.keys), file: file, line: line)
        for (key, data) in leaf {
            switch json[key] {
            case let text as String: XCTAssertEqual(data.string, text, key, file: file, line: line)
            case let list as [String]: XCTAssertEqual(data.array?.compactMap(\.string), list, key, file: file, line: line)
            case let flag as Bool: XCTAssertEqual(data.bool, flag, key, file: file, line: line)
            default: XCTFail("\(key) has no comparable value", file: file, line: line)
            }
        }
    }

    func testRowsGivenToLeafDirectlyMatchTheirEncodableForm() throws {
        try assertSameFields(QueueRow(
            number: "KS202612020001", customer: "王先生", phone: "138****5678", waybill: "YT1", category: "破损", priority: "P1",
            urgent: true, status: "调查中", statusCode: "investigating", assignee: "李娜", outlet: "浦东", age: "2 天",
            updated: "3 小时", due: "late", dueText: "超时 1 小时", flags: ["舆情", "重复"]))
        try assertSameFields(Choice(value: "P2", label: "P2 高", selected: false))
    }
}
