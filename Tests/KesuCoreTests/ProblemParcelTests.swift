import Foundation
import Testing
@testable import KesuCore

/// Seed 003's problem-parcel rules with a fixed clock: three days to lapse, a follow-up every day, and a complaint
/// that finds a parcel neglected for a day.
struct ProblemParcelTests {
    let opened = Date(timeIntervalSince1970: 1_795_000_000)
    let hour: TimeInterval = 3_600

    @Test func aParcelLapsesThreeDaysAfterItWasRegisteredUnlessSettledBefore() throws {
        let parcel = ProblemParcel(openedAt: opened)
        #expect(parcel.lapseAt == opened.addingTimeInterval(72 * hour))
        #expect(!parcel.lapsed(by: opened.addingTimeInterval(72 * hour - 1)))
        #expect(parcel.lapsed(by: opened.addingTimeInterval(72 * hour)))

        var early = parcel
        try early.settle(.delivered, at: opened.addingTimeInterval(71 * hour))
        #expect(!early.lapsed(by: opened.addingTimeInterval(200 * hour)), "settled on day 3 never lapsed")
        var late = parcel
        try late.settle(.returned, at: opened.addingTimeInterval(80 * hour))
        #expect(late.lapsed(by: opened.addingTimeInterval(200 * hour)), "settled on day 4 had lapsed")
    }

    @Test func theLapseIsConfigurableWithinAMonth() throws {
        #expect(try ProblemParcelRules.lapsing(afterDays: 5).lapseAfter == 5 * 86_400)
        for days in [0, 31, -1] {
            let error = #expect(throws: KesuError.self) { try ProblemParcelRules.lapsing(afterDays: days) }
            #expect(error?.details["lapseDays"] != nil)
        }
        let parcel = ProblemParcel(openedAt: opened, rules: try .lapsing(afterDays: 1))
        #expect(parcel.lapsed(by: opened.addingTimeInterval(24 * hour)))
    }

    @Test func aFollowUpIsDueADayAfterTheLastContact() throws {
        var parcel = ProblemParcel(openedAt: opened)
        #expect(parcel.followUpDue == opened.addingTimeInterval(24 * hour))
        try parcel.followUp(at: opened.addingTimeInterval(30 * hour))
        #expect(parcel.followUpDue == opened.addingTimeInterval(54 * hour))
        #expect(throws: KesuError.self) { try parcel.followUp(at: opened.addingTimeInterval(-1)) }
    }

    @Test func aSettledParcelTakesNeitherFollowUpsNorASecondSettlement() throws {
        var parcel = ProblemParcel(openedAt: opened)
        try parcel.settle(.redirected, at: opened.addingTimeInterval(hour))
        let followUp = #expect(throws: KesuError.self) { try parcel.followUp(at: opened.addingTimeInterval(2 * hour)) }
        #expect(followUp?.code == .unprocessable)
        let again = #expect(throws: KesuError.self) { try parcel.settle(.delivered, at: opened.addingTimeInterval(3 * hour)) }
        #expect(again?.code == .conflict)
        #expect(parcel.outcome == .redirected)
    }

    @Test func aComplaintFindsAParcelNeglectedWithoutAFollowUpInTheDayBefore() throws {
        let complaintAt = opened.addingTimeInterval(60 * hour)
        var parcel = ProblemParcel(openedAt: opened)
        try parcel.followUp(at: opened.addingTimeInterval(10 * hour))
        #expect(parcel.neglected(before: complaintAt), "last contact 50 hours before the complaint")
        try parcel.followUp(at: opened.addingTimeInterval(40 * hour))
        #expect(!parcel.neglected(before: complaintAt), "followed up 20 hours before")
        #expect(!ProblemParcel(openedAt: complaintAt.addingTimeInterval(-20 * hour)).neglected(before: complaintAt),
                "registered less than a day before: not yet neglected")
        var settled = ProblemParcel(openedAt: opened)
        try settled.settle(.delivered, at: opened.addingTimeInterval(30 * hour))
        #expect(!settled.neglected(before: complaintAt), "settled before the complaint")
    }

    @Test func listsPutLapsedParcelsFirstThenTheOneLapsingSoonest() throws {
        let now = opened.addingTimeInterval(100 * hour)
        let lapsed = ProblemParcel(openedAt: opened)
        var recent = ProblemParcel(openedAt: now.addingTimeInterval(-30 * hour))
        try recent.followUp(at: now.addingTimeInterval(-2 * hour))
        let older = ProblemParcel(openedAt: now.addingTimeInterval(-50 * hour))
        let sorted = [recent, older, lapsed].sorted(by: ProblemParcel.workOrder)
        #expect(sorted == [lapsed, older, recent])
        #expect(sorted.map { $0.lapsed(by: now) } == [true, false, false])
    }

    @Test func theOutletHearsOfTheReminderAndCustomerServiceOfTheLapse() {
        func person(_ role: Role, _ path: String) -> Escalatee {
            Escalatee(id: UUID(), username: path + role.rawValue, displayName: "", role: role, unitPath: UnitPath(rawValue: path))
        }
        let outletUser = person(.outlet, "/HQ/EAST/PD/"), courierUser = person(.outlet, "/HQ/EAST/PD/C1/")
        let otherCourier = person(.outlet, "/HQ/EAST/PD/C2/"), otherOutlet = person(.outlet, "/HQ/EAST/XH/")
        let hqAgent = person(.agent, "/HQ/"), regionAgent = person(.agent, "/HQ/EAST/"), quality = person(.quality, "/HQ/")
        let people = [outletUser, courierUser, otherCourier, otherOutlet, hqAgent, regionAgent, quality]
        let owner = UnitPath(rawValue: "/HQ/EAST/PD/C1/"), outlet = UnitPath(rawValue: "/HQ/EAST/PD/")
        #expect(Set(ProblemParcelAlert.recipients(owner: owner, outlet: outlet, lapsed: false, among: people))
                == [outletUser.id, courierUser.id])
        #expect(Set(ProblemParcelAlert.recipients(owner: owner, outlet: outlet, lapsed: true, among: people))
                == [outletUser.id, courierUser.id, regionAgent.id], "the nearest customer service, the region's")
        #expect(Set(ProblemParcelAlert.recipients(owner: owner, outlet: outlet, lapsed: true,
                                                  among: [outletUser, hqAgent, quality])) == [outletUser.id, hqAgent.id])
    }
}
