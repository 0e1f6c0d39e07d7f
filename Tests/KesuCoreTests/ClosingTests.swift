import Foundation
import Testing
@testable import KesuCore

struct ClosingRulesTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func aRectificationWithoutADateIsDueInThirtyDays() throws {
        #expect(try ClosingRules.rectificationDue(given: nil, now: now) == now.addingTimeInterval(30 * 86_400))
        let given = now.addingTimeInterval(3 * 86_400)
        #expect(try ClosingRules.rectificationDue(given: given, now: now) == given)
    }

    @Test("due dates in the past or beyond a year are refused",
          arguments: [-60.0, 0.0, 367.0 * 86_400])
    func outOfRange(offset: TimeInterval) {
        let error = #expect(throws: KesuError.self) {
            try ClosingRules.rectificationDue(given: now.addingTimeInterval(offset), now: now)
        }
        #expect(error?.code == .unprocessable)
        #expect(error?.details["rectificationDueAt"] != nil)
    }

    @Test func aCourierDoesNotRectifyAlone() {
        #expect(!ClosingRules.rectifies(.courier))
        #expect(UnitKind.allCases.filter(ClosingRules.rectifies) == [.hq, .region, .transferCentre, .outlet])
    }

    @Test func theRepeatWindowIsThirtyDaysBack() {
        #expect(RepeatRule.windowStart(before: now) == now.addingTimeInterval(-30 * 86_400))
    }
}
