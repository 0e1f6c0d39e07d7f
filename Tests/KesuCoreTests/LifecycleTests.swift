import KesuCore
import Testing

/// Every (from, to) pair of statuses, allowed or not, pinned against the table in DOMAIN.md.
struct LifecycleTests {
    static let expected: [ComplaintStatus: Set<ComplaintStatus>] = [
        .received: [.triaged, .onHold],
        .triaged: [.investigating, .proposing, .executing, .onHold],
        .investigating: [.proposing, .onHold],
        .proposing: [.investigating, .awaitingCustomer, .onHold],
        .awaitingCustomer: [.proposing, .executing, .onHold],
        .executing: [.followUp, .onHold],
        .followUp: [.closed, .reopened],
        .closed: [.reopened],
        .reopened: [.triaged, .investigating, .proposing, .onHold],
    ]

    static var allPairs: [(ComplaintStatus, ComplaintStatus)] {
        ComplaintStatus.allCases.filter { $0 != .onHold }.flatMap { from in ComplaintStatus.allCases.map { (from, $0) } }
    }

    @Test("each transition is allowed exactly when the table says so", arguments: allPairs)
    func transition(from: ComplaintStatus, to: ComplaintStatus) throws {
        let allowed = Self.expected[from, default: []].contains(to)
        if allowed {
            try Lifecycle.check(from: from, to: to, heldFrom: nil)
        } else {
            let error = #expect(throws: KesuError.self) { try Lifecycle.check(from: from, to: to, heldFrom: nil) }
            #expect(error?.code == .illegalTransition)
            #expect(error?.details["allowed"].map(Set.init) == Set(Self.expected[from, default: []].map(\.rawValue)))
            #expect(error?.message.contains(from.rawValue) == true)
        }
    }

    @Test("on hold returns only to the status it was held from",
          arguments: [ComplaintStatus.received, .triaged, .investigating, .proposing, .awaitingCustomer, .executing])
    func onHoldReturns(heldFrom: ComplaintStatus) throws {
        try Lifecycle.check(from: heldFrom, to: .onHold, heldFrom: nil)
        try Lifecycle.check(from: .onHold, to: heldFrom, heldFrom: heldFrom)
        for other in ComplaintStatus.allCases where other != heldFrom {
            #expect(throws: KesuError.self) { try Lifecycle.check(from: .onHold, to: other, heldFrom: heldFrom) }
        }
    }

    @Test func closedCannotBeHeldOrSkipped() {
        #expect(throws: KesuError.self) { try Lifecycle.check(from: .closed, to: .onHold, heldFrom: nil) }
        #expect(throws: KesuError.self) { try Lifecycle.check(from: .received, to: .closed, heldFrom: nil) }
    }

    @Test("closing names every missing field",
          arguments: [
            (ClosureRecord(resolutionSummary: nil, responsibleParty: nil, rootCause: nil),
             ["resolutionSummary", "responsibleParty", "rootCause"]),
            (ClosureRecord(resolutionSummary: "  ", responsibleParty: .outlet, rootCause: "分拣错误"), ["resolutionSummary"]),
            (ClosureRecord(resolutionSummary: "已赔偿", responsibleParty: nil, rootCause: ""), ["responsibleParty", "rootCause"]),
            (ClosureRecord(resolutionSummary: "已赔偿", responsibleParty: .courier, rootCause: "未按规范派送"), []),
          ])
    func closure(record: ClosureRecord, missing: [String]) throws {
        #expect(record.missingFields == missing)
        if missing.isEmpty {
            try record.requireComplete()
        } else {
            let error = #expect(throws: KesuError.self) { try record.requireComplete() }
            #expect(error?.code == .missingFields)
            #expect(error?.details["missing"] == missing)
        }
    }
}
