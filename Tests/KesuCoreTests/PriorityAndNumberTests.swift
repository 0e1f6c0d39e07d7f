import Foundation
import KesuCore
import Testing

struct PriorityTests {
    @Test("threats and risks raise the priority with a reason", arguments: [
        ("再不处理我就打12305", Channel.phone, false, [String](), Priority.p1, "regulator_risk"),
        ("我要找媒体曝光", .web, false, [], .p1, "media_risk"),
        ("我要起诉你们", .web, false, [], .p1, "legal_risk"),
        ("东西坏了", .regulator, false, [], .p1, "regulator"),
        ("东西坏了", .phone, false, ["fresh_food"], .p2, "perishable"),
        ("丢件了", .phone, true, [], .p2, "repeat"),
    ])
    func raised(text: String, channel: Channel, isRepeat: Bool, kinds: [String], expected: Priority, flag: String) {
        let result = PriorityRules.assess(requested: nil, channel: channel, description: text, isRepeat: isRepeat,
                                          itemKinds: kinds)
        #expect(result.priority == expected)
        #expect(result.flags.contains(flag))
        #expect(!result.reasons.isEmpty)
    }

    @Test func plainComplaintKeepsRequestedPriority() {
        let result = PriorityRules.assess(requested: .p4, channel: .web, description: "想改一下地址", isRepeat: false,
                                          itemKinds: ["documents"])
        #expect(result.priority == .p4)
        #expect(result.reasons.isEmpty)
    }

    @Test func neverLowered() {
        let result = PriorityRules.assess(requested: .p1, channel: .web, description: "又坏了", isRepeat: true,
                                          itemKinds: [])
        #expect(result.priority == .p1)
    }

    @Test func priorityOrder() {
        #expect(Priority.p1 > .p2)
        #expect(Priority.p4 < .p3)
    }
}

struct ComplaintNumberTests {
    @Test func format() {
        #expect(ComplaintNumber(day: "20261122", sequence: 123).rawValue == "KS20261122000123")
        #expect(ComplaintNumber(day: "20261122", sequence: 1_234_567).rawValue == "KS202611221234567")
    }

    @Test("the day is the company's, not UTC's")
    func dayInShanghai() throws {
        // 2026-11-22 17:30 UTC is 2026-11-23 01:30 in Shanghai.
        let date = Date(timeIntervalSince1970: 1_795_368_600)
        let shanghai = try #require(TimeZone(identifier: "Asia/Shanghai"))
        #expect(ComplaintNumber.dayKey(of: date, in: shanghai) == "20261123")
        #expect(ComplaintNumber.dayKey(of: date, in: .gmt) == "20261122")
    }

    @Test("a year before 1000 still gives eight digits, so the number parses back")
    func earlyYearsArePadded() throws {
        let early = try #require(ISO8601DateFormatter().date(from: "0248-04-11T16:23:42Z"))
        let day = ComplaintNumber.dayKey(of: early, in: .gmt)
        #expect(day == "02480411")
        #expect(ComplaintNumber(ComplaintNumber(day: day, sequence: 1).rawValue) != nil)
    }

    @Test func sortsByDayThenSequence() {
        let a = ComplaintNumber(day: "20261122", sequence: 999_999)
        let b = ComplaintNumber(day: "20261123", sequence: 1)
        let c = ComplaintNumber(day: "20261123", sequence: 1_000_000)
        #expect(a < b)
        #expect(b < c)
    }

    @Test(arguments: ["ks20261122000123", " KS20261122000123 "])
    func parses(text: String) {
        #expect(ComplaintNumber(text)?.rawValue == "KS20261122000123")
    }

    @Test(arguments: ["", "KS2026", "XX20261122000123", "KS2026112200012a", "1; DROP TABLE"])
    func rejects(text: String) {
        #expect(ComplaintNumber(text) == nil)
    }
}

struct OrganisationTests {
    @Test func pathsNest() {
        let hq = UnitPath.root("hq")
        let region = hq.child("east")
        let outlet = region.child("pd")
        #expect(hq.contains(outlet))
        #expect(region.contains(outlet))
        #expect(!outlet.contains(region))
        #expect(!region.contains(hq.child("south")))
        #expect(outlet.depth == 3)
    }

    @Test("roles", arguments: [
        (Role.agent, Permission.recordComplaint, true),
        (.agent, .manageUsers, false),
        (.agent, .assignComplaints, false),
        (.supervisor, .assignComplaints, true),
        (.outlet, .recordComplaint, false),
        (.outlet, .workComplaints, true),
        (.admin, .manageUsers, true),
        (.system, .pushShipments, true),
        (.agent, .pushShipments, false),
        (.admin, .manageClocks, true),
        (.supervisor, .manageClocks, false),
        (.supervisor, .viewReports, true),
        (.agent, .viewReports, false),
    ])
    func permission(role: Role, permission: Permission, granted: Bool) {
        #expect(AccessPolicy.allows(.staff(StaffIdentity(userID: UUID(), role: role, unitPath: .root("hq"))), permission) == granted)
    }

    @Test func idsAreTimeOrdered() {
        let clock = FixedClock(Date(timeIntervalSince1970: 1_795_000_000))
        let ids = IDGenerator(clock: clock)
        let first = ids.next()
        clock.advance(by: 1)
        let second = ids.next()
        #expect(first.uuidString.prefix(13) < second.uuidString.prefix(13))
        #expect(first.uuidString.dropFirst(14).first == "7")
    }

    @Test func idsMadeInTheSameMillisecondSortInTheOrderTheyWereMade() {
        let ids = IDGenerator(clock: FixedClock(Date(timeIntervalSince1970: 1_795_000_000)))
        let made = (0..<5_000).map { _ in ids.next() }
        let bytes = made.map { id in withUnsafeBytes(of: id.uuid) { Array($0) } }
        #expect(zip(bytes, bytes.dropFirst()).allSatisfy { $0.lexicographicallyPrecedes($1) }, "byte order, as the databases sort")
        #expect(Set(made).count == made.count)
        #expect(made.allSatisfy { $0.uuidString.dropFirst(14).first == "7" }, "still version 7")
    }

    @Test func weChatCodes() {
        #expect(ComplaintCategory(weChatCode: 1004) == .delay)
        #expect(ComplaintCategory(weChatCode: 1007) == .deliveryService)
        #expect(ComplaintCategory(weChatCode: 9999) == nil)
    }
}
