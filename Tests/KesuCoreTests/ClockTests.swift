import Foundation
import KesuCore
import Testing

/// Business time on the 2026 Chinese calendar, office hours 09:00–18:00 Monday to Friday, Asia/Shanghai.
struct BusinessTimeTests {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai") ?? .gmt
    let calendar = BusinessCalendar.officeHours(
        timeZone: shanghai, holidays: Set(ChineseHolidays.y2026.holidays.map(\.day)),
        workdays: Set(ChineseHolidays.y2026.workdays.map(\.day)))

    /// A Shanghai wall time, `2026-09-30 17:00`.
    static func at(_ text: String) -> Date {
        let parts = text.split(separator: " ")
        let day = LocalDay(String(parts[0]))!
        let hm = parts[1].split(separator: ":").compactMap { Int($0) }
        var c = Calendar(identifier: .gregorian)
        c.timeZone = shanghai
        return c.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: hm[0], minute: hm[1]))!
    }

    @Test("working hours are added across nights, weekends, holidays and make-up days", arguments: [
        // Within a day.
        ("2026-11-24 10:00", 2.0, "2026-11-24 12:00"),
        // Over a night: 17:00 + 3 h → 11:00 next day.
        ("2026-11-24 17:00", 3.0, "2026-11-25 11:00"),
        // Received at night counts from opening.
        ("2026-11-24 22:30", 1.0, "2026-11-25 10:00"),
        // Friday afternoon over the weekend to Monday.
        ("2026-11-27 16:00", 4.0, "2026-11-30 11:00"),
        // Received on Saturday: starts Monday 09:00.
        ("2026-11-28 10:00", 9.0, "2026-11-30 18:00"),
        // Exactly the rest of the day ends at closing, not the next morning.
        ("2026-11-24 09:00", 9.0, "2026-11-24 18:00"),
        // National Day: Wed 30 Sep 17:00 + 2 h: 1 h that day, then 1–7 Oct off, Thu 8 and Fri 9 work.
        ("2026-09-30 17:00", 2.0, "2026-10-08 10:00"),
        // The make-up Saturday 10 Oct works: Fri 9 Oct 17:00 + 2 h → Sat 10 Oct 10:00.
        ("2026-10-09 17:00", 2.0, "2026-10-10 10:00"),
        // The make-up Sunday 20 Sep works: Sat 19 Sep + 1 h → Sun 20 Sep 10:00.
        ("2026-09-19 12:00", 1.0, "2026-09-20 10:00"),
        // Spring Festival: Fri 13 Feb 17:00 + 2 h → make-up Sat 14 Feb 10:00; then 15–23 Feb off.
        ("2026-02-13 17:00", 2.0, "2026-02-14 10:00"),
        ("2026-02-14 17:00", 2.0, "2026-02-24 10:00"),
        // 48 working hours from Tue 29 Sep 09:00: 29, 30 Sep (18 h), 8, 9, 10 Oct (27 h), 12 Oct 09:00 + 3 h.
        ("2026-09-29 09:00", 48.0, "2026-10-12 12:00"),
    ])
    func adds(start: String, hours: Double, expected: String) {
        #expect(calendar.add(hours * 3_600, to: Self.at(start)) == Self.at(expected))
    }

    @Test func workingTimeBetweenTwoInstantsInvertsAdding() {
        let start = Self.at("2026-09-28 11:30")
        for hours in [0.5, 7.0, 20.0, 48.0, 100.0] {
            let end = calendar.add(hours * 3_600, to: start)
            #expect(calendar.workingSeconds(from: start, to: end) == hours * 3_600)
        }
        #expect(calendar.workingSeconds(from: Self.at("2026-10-01 09:00"), to: Self.at("2026-10-07 18:00")) == 0)
    }

    @Test func weekdaysAndDaysParse() {
        #expect(calendar.isoWeekday(LocalDay(year: 2026, month: 11, day: 24)) == 2)
        #expect(calendar.isoWeekday(LocalDay(year: 2026, month: 10, day: 10)) == 6)
        #expect(calendar.isoWeekday(LocalDay(year: 2027, month: 2, day: 6)) == 6)
        #expect(LocalDay("2026-02-29") == nil)
        #expect(LocalDay("2028-02-29")?.description == "2028-02-29")
        #expect(WorkingHours("08:30-20:30")?.description == "08:30-20:30")
        #expect(WorkingHours("18:00-09:00") == nil)
    }
}

/// Clocks: warnings and deadlines, pauses, meeting, and policies chosen per category × priority × channel.
struct ComplaintClockTests {
    let calendar = BusinessTimeTests().calendar
    let at = BusinessTimeTests.at

    @Test func wallClockPausesAndResumes() {
        var clock = ComplaintClock(kind: .resolution, startedAt: at("2026-11-24 10:00"), target: 48 * 3_600,
                                   businessTime: false, warnFraction: 0.8, pauseStatuses: [.onHold], calendar: calendar)
        #expect(clock.dueAt == at("2026-11-26 10:00"))
        #expect(clock.warnAt == at("2026-11-26 00:24"))
        clock.pause(at: at("2026-11-24 12:00"))
        #expect(clock.state == .paused && clock.nextFireAt == nil)
        #expect(clock.fire(at: at("2026-11-30 00:00")).isEmpty, "a paused clock never fires")
        clock.resume(at: at("2026-11-25 12:00"), calendar: calendar)
        #expect(clock.pausedFor == 24 * 3_600)
        #expect(clock.dueAt == at("2026-11-27 10:00"))
        #expect(clock.nextFireAt == clock.warnAt)
        #expect(clock.fire(at: at("2026-11-27 00:30")) == [.warning])
        #expect(clock.fire(at: at("2026-11-27 01:00")).isEmpty, "a warning fires once")
        #expect(clock.fire(at: at("2026-11-27 10:00")) == [.breach])
        #expect(clock.state == .breached && clock.nextFireAt == nil)
        clock.meet(at: at("2026-11-27 11:00"))
        #expect(clock.state == .met && clock.metInTime == false)
    }

    @Test func businessClockResumesWithTheWorkingTimeLeft() {
        // 48 working hours from Monday 28 Sep 09:00; paused Tue 29 Sep 18:00 with 30 h left; resumed Thu 8 Oct 09:00.
        var clock = ComplaintClock(kind: .resolution, startedAt: at("2026-09-28 09:00"), target: 48 * 3_600,
                                   businessTime: true, warnFraction: 0.8, pauseStatuses: [.onHold], calendar: calendar)
        #expect(clock.dueAt == at("2026-10-10 12:00"))
        clock.pause(at: at("2026-09-29 18:00"))
        clock.resume(at: at("2026-10-08 09:00"), calendar: calendar)
        // 30 working hours from Thu 8 Oct 09:00: 8, 9, 10 (make-up Sat) Oct = 27 h, then Mon 12 Oct 12:00.
        #expect(clock.dueAt == at("2026-10-12 12:00"))
        #expect(calendar.workingSeconds(from: at("2026-10-08 09:00"), to: clock.dueAt) == 30 * 3_600)
    }

    @Test func aBreachedClockIsNotPausedAndBothEventsFireWhenLate() {
        // Imported 50 hours late: the warning and the breach both fall due at once, in that order.
        var clock = ComplaintClock(kind: .resolution, startedAt: at("2026-11-22 08:00"), target: 48 * 3_600,
                                   businessTime: false, warnFraction: 0.8, pauseStatuses: [.onHold], calendar: calendar)
        #expect(clock.fire(at: at("2026-11-24 10:00")) == [.warning, .breach])
        clock.pause(at: at("2026-11-24 11:00"))
        #expect(clock.pausedAt == nil, "the breach stands")
    }

    @Test func policiesAreChosenByTheMostSpecificRule() {
        let p1 = ClockPolicy(firstReply: 2 * 3_600, resolution: 24 * 3_600)
        let loss = ClockPolicy(firstReply: 12 * 3_600, resolution: 72 * 3_600)
        let lossP1 = ClockPolicy(firstReply: 1 * 3_600, resolution: 12 * 3_600)
        let regulator = ClockPolicy(regulator: 15 * 86_400)
        let rules = [PolicyRule(id: "p1", priority: .p1, policy: p1), PolicyRule(id: "loss", category: .loss, policy: loss),
                     PolicyRule(id: "loss-p1", category: .loss, priority: .p1, policy: lossP1),
                     PolicyRule(id: "reg", channel: .regulator, policy: regulator)]
        #expect(PolicyRule.choose(from: rules, category: .delay, priority: .p3, channel: .phone).id == "standard")
        #expect(PolicyRule.choose(from: rules, category: .delay, priority: .p1, channel: .phone).id == "p1")
        #expect(PolicyRule.choose(from: rules, category: .loss, priority: .p1, channel: .phone).id == "loss-p1")
        #expect(PolicyRule.choose(from: rules, category: .loss, priority: .p2, channel: .phone).id == "loss")
        #expect(PolicyRule.choose(from: rules, category: nil, priority: .p2, channel: .regulator).id == "reg")
        #expect(throws: KesuError.self) { try ClockPolicy(warnFraction: 1.2).validate() }
        #expect(throws: KesuError.self) { try ClockPolicy(firstReply: 0).validate() }
    }

    @Test func aPolicyChangedMidFlightLeavesStartedClocksAlone() {
        var policy = ClockPolicy.standard
        let received = at("2026-11-24 10:00")
        let started = ComplaintClock.opening(receivedAt: received, channel: .regulator,
                                             regulatorForwardedAt: at("2026-11-23 09:00"), policy: policy,
                                             calendar: calendar)
        policy.resolution = 24 * 3_600
        policy.businessTime = true
        let later = ComplaintClock.opening(receivedAt: received, channel: .phone, regulatorForwardedAt: nil,
                                           policy: policy, calendar: calendar)
        let resolution = started.first { $0.kind == .resolution }
        #expect(resolution?.dueAt == at("2026-11-26 10:00"), "the clock keeps the 48 h it started with")
        #expect(resolution?.businessTime == false)
        #expect(later.first { $0.kind == .resolution }?.dueAt == at("2026-11-26 16:00"), "24 working hours")
        #expect(started.map(\.kind) == [.firstReply, .resolution, .statutory, .regulator])
        #expect(started.first { $0.kind == .regulator }?.dueAt == at("2026-12-03 09:00"))
        #expect(started.first { $0.kind == .statutory }?.dueAt == at("2026-12-01 10:00"))
        #expect(later.count == 3, "no regulator clock off the regulator channel")
    }

    @Test func aRaisedPriorityRetimesRunningClocksFromTheirStart() {
        var wall = ComplaintClock(kind: .resolution, startedAt: at("2026-11-24 10:00"), target: 48 * 3_600,
                                  businessTime: false, warnFraction: 0.8, pauseStatuses: [.onHold], calendar: calendar)
        wall.pause(at: at("2026-11-24 11:00"))
        wall.resume(at: at("2026-11-24 13:00"), calendar: calendar)
        wall.retime(target: 24 * 3_600, calendar: calendar)
        #expect(wall.dueAt == at("2026-11-25 12:00"), "24 h from the start plus the 2 h on hold")
        #expect(wall.warnAt == at("2026-11-25 07:12"))

        var business = ComplaintClock(kind: .resolution, startedAt: at("2026-11-24 10:00"), target: 16 * 3_600,
                                      businessTime: true, warnFraction: 0.5, pauseStatuses: [.onHold], calendar: calendar)
        business.pause(at: at("2026-11-24 11:00"))
        business.resume(at: at("2026-11-24 14:00"), calendar: calendar)
        #expect(business.dueAt == at("2026-11-26 11:00"))
        business.retime(target: 8 * 3_600, calendar: calendar)
        #expect(business.dueAt == at("2026-11-25 12:00"), "8 working hours plus the 3 paused ones")

        var late = ComplaintClock(kind: .firstReply, startedAt: at("2026-11-24 10:00"), target: 3_600,
                                  businessTime: false, warnFraction: 0.8, pauseStatuses: [], calendar: calendar)
        _ = late.fire(at: at("2026-11-24 12:00"))
        late.retime(target: 24 * 3_600, calendar: calendar)
        #expect(late.dueAt == at("2026-11-24 11:00"), "a breach stays on record")
    }

    @Test func whichEventsMeetWhichClocks() {
        #expect(ClockRules.met(byEntering: .followUp) == [.firstReply, .resolution, .statutory])
        #expect(ClockRules.met(byEntering: .closed) == [.firstReply, .resolution, .statutory, .task, .followUp])
        #expect(ClockRules.met(byEntering: .reopened) == [.followUp])
        #expect(ClockRules.met(byEntering: .awaitingCustomer) == [.firstReply, .statutory])
        #expect(ClockRules.met(byEntering: .investigating).isEmpty)
        #expect(ClockRules.escalated(from: 0) == 1 && ClockRules.escalated(from: 2) == 2)
        let promise = ComplaintClock.promise(madeAt: at("2026-11-24 10:00"), due: at("2026-11-24 15:00"), warnFraction: 0.8)
        #expect(promise.warnAt == at("2026-11-24 14:00"))
    }
}

/// The SLA report's arithmetic.
struct SlaFiguresTests {
    let start = Date(timeIntervalSince1970: 1_795_485_600)

    func clock(_ kind: ClockKind, hours: Double, metAfter: Double?) -> ComplaintClock {
        var c = ComplaintClock(kind: kind, startedAt: start, target: hours * 3_600, businessTime: false,
                               warnFraction: 0.8, pauseStatuses: [], calendar: BusinessCalendar(timeZone: .gmt, weekly: [:]))
        if let metAfter { c.meet(at: start + metAfter * 3_600) }
        return c
    }

    @Test func sharesMediansAndBreachesCountOnlyDecidedClocks() {
        let now = start + 30 * 3_600
        let figures = SlaFigures.of([
            clock(.firstReply, hours: 24, metAfter: 1), clock(.firstReply, hours: 24, metAfter: 3),
            clock(.firstReply, hours: 24, metAfter: 26), clock(.firstReply, hours: 24, metAfter: nil),
            clock(.resolution, hours: 48, metAfter: 20), clock(.resolution, hours: 48, metAfter: nil),
            clock(.regulator, hours: 24, metAfter: nil), clock(.statutory, hours: 168, metAfter: nil),
        ], now: now)
        #expect(figures.complaints == 4)
        #expect(figures.firstReplyDue == 4 && figures.firstReplyMet == 2)
        #expect(figures.firstReplyShare == 0.5)
        #expect(figures.firstReplyMedian == TimeInterval(3 * 3_600), "nearest rank of 1 h, 3 h, 26 h")
        #expect(figures.firstReplyP90 == TimeInterval(26 * 3_600))
        #expect(figures.resolutionDue == 1 && figures.resolutionMet == 1, "a running 48 h clock is not decided yet")
        #expect(figures.breaches == 3, "two late first replies and the regulator")
        #expect(figures.regulatorOverdue == 1)
        #expect(SlaFigures.percentile([], 0.5) == nil)
    }
}
