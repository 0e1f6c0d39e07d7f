import Foundation
import Testing
@testable import KesuCore

/// Seed 003's malicious-complainant signals with a fixed clock: each with its evidence, none for an ordinary customer,
/// and the listing rules a review must meet.
struct MaliceTests {
    let now = Date(timeIntervalSince1970: 1_796_000_000)
    let day: TimeInterval = 86_400

    func complaint(_ n: Int, daysAgo: Double, waybill: String, text: String, cap: Int64? = nil) -> CustomerRecord.Complaint {
        .init(number: "KS\(n)", receivedAt: now.addingTimeInterval(-daysAgo * day), waybills: [waybill], text: text,
              rulesCapFen: cap)
    }

    @Test func anOrdinaryCustomerShowsNothing() {
        let record = CustomerRecord(complaints: [
            complaint(1, daysAgo: 3, waybill: "A1", text: "快递三天没送到，请尽快处理。"),
            complaint(2, daysAgo: 40, waybill: "A2", text: "包裹破损，希望赔偿。"),
        ], proposalsRefused: 1, proposalsAccepted: 1)
        #expect(MaliceRules.standard.signals(of: record, now: now).isEmpty)
    }

    @Test func theSeedsCustomerShowsEverySignalWithItsEvidence() {
        let record = CustomerRecord(complaints: [
            complaint(1, daysAgo: 80, waybill: "B1", text: "洗衣机没送到，要求赔偿。"),
            complaint(2, daysAgo: 60, waybill: "B2", text: "又没送到，赔偿 300 元。"),
            complaint(3, daysAgo: 30, waybill: "B3", text: "退款没到账，不赔偿就升级投诉！"),
            complaint(4, daysAgo: 10, waybill: "B4", text: "要求赔偿 5000 元，否则曝光。", cap: 1_500),
            complaint(5, daysAgo: 2, waybill: "B4", text: "还是没人管"),
            complaint(6, daysAgo: 200, waybill: "B9", text: "很久以前的投诉，要求赔偿"),
        ], proposalsRefused: 3, proposalsAccepted: 0)
        let signals = MaliceRules.standard.signals(of: record, now: now)
        #expect(Set(signals.map(\.kind)) == Set(MaliceSignalKind.allCases))
        let demands = signals.first { $0.kind == .repeatedDemands }
        #expect(demands?.complaints == ["KS1", "KS2", "KS3", "KS4"], "within 90 days only")
        #expect(signals.first { $0.kind == .manyWaybills }?.detail == "5/4")
        #expect(signals.first { $0.kind == .threatWithMoney }?.detail == "退款没到账，不赔偿就升级投诉")
        #expect(signals.first { $0.kind == .claimAboveRules }?.detail == "500000/1500")
    }

    @Test func aThreatCountsOnlyNextToMoneyAndAClaimOnlyFarAboveTheRules() {
        let record = CustomerRecord(complaints: [
            complaint(1, daysAgo: 1, waybill: "C1", text: "再不送到我就投诉到 12305。我要求赔偿。", cap: 10_000),
            complaint(2, daysAgo: 1, waybill: "C2", text: "要求赔偿 200 元", cap: 10_000),
        ])
        let kinds = MaliceRules.standard.signals(of: record, now: now).map(\.kind)
        #expect(!kinds.contains(.threatWithMoney), "the threat and the demand are in different sentences")
        #expect(!kinds.contains(.claimAboveRules), "¥200 is not three times ¥100")
        #expect(MaliceRules.demandedFen("要求赔偿 1.5万") == 1_500_000)
        #expect(MaliceRules.demandedFen("运单 12345 丢了") == nil)
    }

    @Test func aListingNeedsAReasonEvidenceAndAnExpiryWithinAYear() throws {
        try BlacklistRules.checkListing(reason: "多次以升级投诉索赔", evidence: "KS1–KS4 通话录音", expiresAt: now + 90 * day, now: now)
        let error = #expect(throws: KesuError.self) {
            try BlacklistRules.checkListing(reason: " ", evidence: "", expiresAt: now + 400 * day, now: now)
        }
        #expect(Set(error?.details.keys ?? [:].keys) == ["reason", "evidence", "expiresAt"])
    }
}
