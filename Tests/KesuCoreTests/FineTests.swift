import Foundation
import Testing
@testable import KesuCore

/// Seed 003's fair appeals with a fixed clock: 72 hours to appeal with evidence, 48 hours for each review, one second
/// review asked within 48 hours, never reviewed by the issuer, a reduction below the original.
struct FineTests {
    let issued = Date(timeIntervalSince1970: 1_795_000_000)
    let hour: TimeInterval = 3_600
    let issuer = UUID(), reviewer = UUID(), second = UUID()

    func at(_ hours: Double) -> Date { issued.addingTimeInterval(hours * hour) }

    @Test func anAppealIsTakenWithEvidenceWithinSeventyTwoHoursOnly() throws {
        var fine = Fine(issuerID: issuer, issuedAt: issued, amountFen: 100_000)
        #expect(fine.deadline == at(72) && fine.window == .appeal)
        let none = #expect(throws: KesuError.self) { try fine.appeal(at: at(10), evidence: 0) }
        #expect(none?.details["evidenceFiles"] != nil)
        var late = fine
        let tooLate = #expect(throws: KesuError.self) { try late.appeal(at: at(72), evidence: 1) }
        #expect(tooLate?.details["appeal"] == ["too late"])
        try fine.appeal(at: at(71.9), evidence: 2)
        #expect(fine.status == .appealed && fine.window == .review)
        #expect(fine.deadline == at(71.9 + 48))
        #expect(throws: KesuError.self) { try fine.appeal(at: at(72), evidence: 1) }
    }

    @Test func theIssuerNeverReviewsAndASecondReviewIsAnotherPersons() throws {
        var fine = Fine(issuerID: issuer, issuedAt: issued, amountFen: 100_000)
        try fine.appeal(at: at(1), evidence: 1)
        let byIssuer = #expect(throws: KesuError.self) { try fine.decide(.revoke, by: issuer, at: at(2)) }
        #expect(byIssuer?.code == .forbidden)
        try fine.decide(.uphold, by: reviewer, at: at(2))
        #expect(fine.status == .decided && fine.window == .secondAsk && fine.deadline == at(50))
        try fine.askSecondReview(at: at(49))
        #expect(fine.status == .secondReview && fine.deadline == at(97))
        let same = #expect(throws: KesuError.self) { try fine.decide(.revoke, by: reviewer, at: at(50)) }
        #expect(same?.code == .forbidden)
        #expect(throws: KesuError.self) { try fine.decide(.revoke, by: issuer, at: at(50)) }
        try fine.decide(.reduce, newFen: 50_000, by: second, at: at(50))
        #expect(fine.status == .final && fine.dueFen == 50_000 && fine.collectible)
        let again = #expect(throws: KesuError.self) { try fine.askSecondReview(at: at(51)) }
        #expect(again?.details["secondReview"] == ["not open"])
    }

    @Test func aSecondReviewIsAskedWithinFortyEightHoursOfTheFirstDecision() throws {
        var fine = Fine(issuerID: issuer, issuedAt: issued, amountFen: 20_000)
        try fine.appeal(at: at(1), evidence: 1)
        try fine.decide(.uphold, by: reviewer, at: at(10))
        var late = fine
        let error = #expect(throws: KesuError.self) { try late.askSecondReview(at: at(58)) }
        #expect(error?.details["secondReview"] == ["too late"])
        let early = fine.windowEnded(.secondAsk, at: at(57.9))
        #expect(!early && fine.status == .decided, "not yet")
        fine.windowEnded(.secondAsk, at: at(58))
        #expect(fine.status == .final && fine.dueFen == 20_000)
    }

    @Test func aReductionIsBelowTheOriginalAndAboveNothing() throws {
        var fine = Fine(issuerID: issuer, issuedAt: issued, amountFen: 100_000)
        try fine.appeal(at: at(1), evidence: 1)
        for bad in [nil, 0, -5, 100_000, 150_000] as [Int?] {
            let error = #expect(throws: KesuError.self) { try fine.decide(.reduce, newFen: bad, by: reviewer, at: at(2)) }
            #expect(error?.details["amount"] != nil)
        }
        #expect(fine.status == .appealed && fine.dueFen == 100_000, "a refused decision changes nothing")
        try fine.decide(.revoke, by: reviewer, at: at(2))
        #expect(fine.status == .final && fine.dueFen == 0 && !fine.collectible, "a revoked fine has no second review")
    }

    @Test func anUnappealedFineBecomesFinalWhenItsWindowEnds() {
        var fine = Fine(issuerID: issuer, issuedAt: issued, amountFen: 1_000)
        #expect(!fine.collectible)
        let other = fine.windowEnded(.review, at: at(100))
        #expect(!other, "another window's clock does nothing")
        #expect(fine.status == .open)
        fine.windowEnded(.appeal, at: at(72))
        #expect(fine.status == .final && fine.collectible)
        let again = fine.windowEnded(.appeal, at: at(73))
        #expect(!again && fine.status == .final, "it fires once")
    }

    @Test func aReviewOutOfTimeStaysSuspendedUntilDecidedOrIsRevokedByConfiguration() throws {
        var fine = Fine(issuerID: issuer, issuedAt: issued, amountFen: 100_000)
        try fine.appeal(at: at(1), evidence: 1)
        let escalates = fine.windowEnded(.review, at: at(49))
        #expect(escalates)
        #expect(fine.suspended && fine.status == .appealed && !fine.collectible)
        let twice = fine.windowEnded(.review, at: at(60))
        #expect(!twice, "escalates once")
        try fine.decide(.uphold, by: reviewer, at: at(70))
        #expect(!fine.suspended && fine.status == .decided)

        let windows = try FineWindows.hours(appeal: 72, review: 48, secondAsk: 48, businessTime: false, overdue: .revoke)
        var lenient = Fine(issuerID: issuer, issuedAt: issued, amountFen: 100_000, windows: windows)
        try lenient.appeal(at: at(1), evidence: 1)
        let revoked = lenient.windowEnded(.review, at: at(49))
        #expect(revoked)
        #expect(lenient.status == .final && lenient.dueFen == 0 && lenient.decision == .revoke)
    }

    @Test func windowsAreConfigurableAndMayCountWorkingTime() throws {
        #expect(throws: KesuError.self) {
            try FineWindows.hours(appeal: 0, review: 48, secondAsk: 48, businessTime: false, overdue: .suspend)
        }
        let windows = try FineWindows.hours(appeal: 8, review: 8, secondAsk: 8, businessTime: true, overdue: .suspend)
        let calendar = BusinessCalendar.officeHours(timeZone: TimeZone(identifier: "Asia/Shanghai")!)
        // Friday 2026-11-27 17:00 in Shanghai: eight working hours end on Monday afternoon, not Saturday 01:00.
        let friday = Date(timeIntervalSince1970: 1_795_770_000)
        let fine = Fine(issuerID: issuer, issuedAt: friday, amountFen: 1_000, windows: windows, calendar: calendar)
        #expect(fine.deadline! > friday.addingTimeInterval(60 * hour))
    }

    @Test func rulesAreAnAmountOrAMultipleOfAnotherFine() throws {
        let complaint = FineRule(code: "complaint_courier", amountFen: 20_000)
        let double = FineRule(code: "lapsed_then_complained", multiplierPercent: 200, baseCode: "complaint_courier",
                              needsNeglect: true)
        let rules = [complaint, double]
        try double.validate(among: rules)
        #expect(try double.amount(quantity: 1, among: rules) == 40_000)
        #expect(try FineRule(code: "locker", amountFen: 1_000).amount(quantity: 3, among: rules) == 3_000)
        #expect(throws: KesuError.self) { try complaint.amount(quantity: 0, among: rules) }
        for bad in [FineRule(code: "x", amountFen: 0), FineRule(code: "x", multiplierPercent: 100, baseCode: "complaint_courier"),
                    FineRule(code: "x", multiplierPercent: 200, baseCode: "lapsed_then_complained"),
                    FineRule(code: "x", amountFen: 100, multiplierPercent: 200),
                    FineRule(code: "x", kind: .reward, multiplierPercent: 200, baseCode: "complaint_courier")] {
            #expect(throws: KesuError.self) { try bad.validate(among: rules) }
        }
    }

    @Test func aFineFromABlacklistedCustomersComplaintIsHeldForReviewSuspended() throws {
        var fine = Fine(issuerID: issuer, issuedAt: issued, amountFen: 100_000)
        try fine.holdForReview(at: issued)
        #expect(fine.status == .appealed && fine.suspended && fine.window == .review && fine.deadline == at(48))
        #expect(!fine.collectible)
        #expect(throws: KesuError.self) { try fine.holdForReview(at: issued) }
        try fine.decide(.uphold, by: reviewer, at: at(5))
        #expect(!fine.suspended && fine.status == .decided)
    }
}
