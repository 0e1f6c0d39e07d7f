import Foundation
import KesuCore
import Testing

/// Who a late complaint goes to, level by level, and what one warning or breach does to it.
struct EscalationTests {
    static func person(_ name: String, _ role: Role, _ path: String) -> Escalatee {
        Escalatee(id: UUID(), username: name, displayName: name, role: role, unitPath: UnitPath(rawValue: path))
    }

    let hq = person("hq-sup", .supervisor, "/hq/")
    let hqQuality = person("hq-qa", .quality, "/hq/")
    let region = person("sh-sup", .supervisor, "/hq/sh/")
    let outlet = person("pd-sup", .supervisor, "/hq/sh/pd/")
    let elsewhere = person("bj-sup", .supervisor, "/hq/bj/")
    var people: [Escalatee] { [hqQuality, hq, region, outlet, elsewhere] }
    let scope = UnitPath(rawValue: "/hq/sh/pd/")

    @Test func eachLevelReachesTheDeepestUnitItAllows() {
        #expect(Escalation.responders(for: scope, level: 0, among: people) == [outlet])
        #expect(Escalation.responders(for: scope, level: 1, among: people) == [region])
        #expect(Escalation.responders(for: scope, level: 2, among: people) == [hq, hqQuality], "supervisors first")
        #expect(Escalation.responders(for: scope, level: 0, among: [hq, elsewhere]) == [hq], "the nearest above")
        #expect(Escalation.responders(for: scope, level: 0, among: [elsewhere]).isEmpty, "never another branch")
    }

    @Test func aBreachRaisesOneStepReassignsAndTellsTheNewHolderFirst() {
        let agent = UUID()
        let outcome = Escalation.outcome(of: [.notify, .escalate, .reassign], level: 0, raisedThisBatch: false,
                                         assignee: agent, scope: scope, people: people)
        #expect(outcome.raisedTo == 1)
        #expect(outcome.reassignedTo == region)
        #expect(outcome.notified == [region.id])
    }

    @Test func notifyingOnlyTellsTheAssigneeAndTheLevelsSupervisors() {
        let agent = UUID()
        let outcome = Escalation.outcome(of: [.notify], level: 0, raisedThisBatch: false, assignee: agent, scope: scope,
                                         people: people)
        #expect(outcome.raisedTo == nil)
        #expect(outcome.reassignedTo == nil)
        #expect(outcome.notified == [agent, outlet.id])
    }

    @Test func onceABatchAndNeverPastHeadquarters() {
        let again = Escalation.outcome(of: [.escalate], level: 1, raisedThisBatch: true, assignee: nil, scope: scope,
                                       people: people)
        #expect(again.raisedTo == nil)
        let top = Escalation.outcome(of: [.escalate, .reassign], level: 2, raisedThisBatch: false, assignee: hq.id,
                                     scope: scope, people: people)
        #expect(top.raisedTo == nil)
        #expect(top.reassignedTo == nil, "the supervisor holding it keeps it")
        #expect(Escalation.levelKey(0) == "outlet")
        #expect(Escalation.levelKey(3) == "regulator")
    }
}
