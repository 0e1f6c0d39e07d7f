import Foundation
import Testing
@testable import KesuCore

/// Seed 003's notice rules with a fixed clock: one proactive notice a day per customer and complaint, none in quiet
/// hours (21:00–08:00 Beijing time), answers and urgent ones at once, the non-essential ones not to those who opted out.
struct NoticeRuleTests {
    let settings = NoticeSettings.standard
    /// 2026-12-01 10:00 in Beijing (02:00 UTC).
    let morning = Date(timeIntervalSince1970: 1_796_090_400)
    let hour: TimeInterval = 3_600

    @Test func theSecondProactiveNoticeOfADayWaitsForTheNextDay() {
        let first = NoticeRules.decide(.investigating, urgent: false, now: morning, settings: settings, proactiveSent: [],
                                       customerWrote: nil, optedOut: false)
        #expect(first == .send(at: morning, held: nil))
        let second = NoticeRules.decide(.closed, urgent: false, now: morning + 2 * hour, settings: settings,
                                        proactiveSent: [morning], customerWrote: nil, optedOut: false)
        #expect(second == .send(at: morning + 24 * hour, held: "daily cap"))
    }

    @Test func theCustomerWritingFirstOrUrgencyLiftsTheCap() {
        let answer = NoticeRules.decide(.proposal, urgent: false, now: morning + 2 * hour, settings: settings,
                                        proactiveSent: [morning], customerWrote: morning + hour, optedOut: false)
        #expect(answer == .send(at: morning + 2 * hour, held: nil))
        let urgent = NoticeRules.decide(.proposal, urgent: true, now: morning + 2 * hour, settings: settings,
                                        proactiveSent: [morning], customerWrote: nil, optedOut: false)
        #expect(urgent == .send(at: morning + 2 * hour, held: nil))
    }

    @Test func quietHoursHoldNoticesUntilEightInTheMorning() {
        let night = morning + 12 * hour  // 22:00 Beijing
        let held = NoticeRules.decide(.closed, urgent: false, now: night, settings: settings, proactiveSent: [],
                                      customerWrote: nil, optedOut: false)
        #expect(held == .send(at: morning + 22 * hour, held: "quiet hours"))  // 08:00 next day
        let early = morning - 3 * hour  // 07:00 Beijing
        #expect(NoticeRules.quietEnd(after: early, settings: settings) == morning - 2 * hour)
        #expect(NoticeRules.quietEnd(after: morning, settings: settings) == nil)
        // The answer to what the customer wrote and a person's reply are not held.
        #expect(NoticeRules.decide(.received, urgent: false, now: night, settings: settings, proactiveSent: [],
                                   customerWrote: night, optedOut: false) == .send(at: night, held: nil))
        #expect(NoticeRules.decide(.reply, urgent: false, now: night, settings: settings, proactiveSent: [],
                                   customerWrote: nil, optedOut: false) == .send(at: night, held: nil))
    }

    @Test func optingOutStopsOnlyTheNonEssential() {
        #expect(NoticeRules.decide(.survey, urgent: false, now: morning, settings: settings, proactiveSent: [],
                                   customerWrote: nil, optedOut: true) == .skip("opted out"))
        #expect(NoticeRules.decide(.proposal, urgent: false, now: morning, settings: settings, proactiveSent: [],
                                   customerWrote: nil, optedOut: true) == .send(at: morning, held: nil))
    }
}
