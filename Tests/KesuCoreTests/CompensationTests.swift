import Foundation
import KesuCore
import Testing

/// The compensation rules, table-driven; every amount in fen.
struct CompensationTests {
    let v1 = CompensationRules(version: 1, effectiveFrom: Date(timeIntervalSince1970: 0))

    @Test("amounts the rules allow", arguments: [
        // incident, fee, insured, claimed, damage %, amount, rule
        (Incident.loss, Int64(1_200), Int64?(50_000), Int64?.none, Int?.none, Int64(50_000), "insured_loss"),
        (.loss, 1_200, 50_000, 30_000, nil, 30_000, "insured_loss"),
        (.loss, 1_200, 50_000, 80_000, nil, 50_000, "insured_loss"),
        (.damage, 1_200, 50_000, nil, 40, 20_000, "insured_damage"),
        (.damage, 1_200, 50_000, 15_000, 40, 15_000, "insured_damage"),
        (.damage, 1_200, 50_001, nil, 33, 16_500, "insured_damage"),
        (.damage, 1_200, 50_000, nil, nil, 50_000, "insured_damage"),
        (.loss, 1_200, nil, 2_000, nil, 2_000, "uninsured_capped"),
        (.loss, 1_200, nil, 10_000, nil, 3_600, "uninsured_capped"),
        (.loss, 1_200, nil, nil, nil, 3_600, "uninsured_capped"),
        (.damage, 800, nil, 5_000, 50, 2_400, "uninsured_capped"),
        (.delay, 1_200, 50_000, 99_999, nil, 1_200, "delay_fee_waiver"),
        (.delay, 0, nil, nil, nil, 0, "delay_fee_waiver"),
    ])
    func amount(incident: Incident, fee: Int64, insured: Int64?, claimed: Int64?, damage: Int?, expected: Int64,
                rule: String) throws {
        let input = CompensationInput(incident: incident, serviceFeeFen: fee, insuredValueFen: insured,
                                      claimedLossFen: claimed, damagePercent: damage)
        let suggestion = try CompensationEngine.suggest(input, rules: v1)
        #expect(suggestion.amountFen == expected)
        #expect(suggestion.rule.rawValue == rule)
        #expect(suggestion.version == 1)
        #expect(suggestion.explanationZh.contains(CompensationEngine.yuan(expected)) || expected == 0)
    }

    @Test func theMultipleComesFromTheVersionInForceWhenTheComplaintWasReceived() throws {
        let day: TimeInterval = 86_400
        let versions = [
            v1,
            CompensationRules(version: 2, effectiveFrom: Date(timeIntervalSince1970: 100 * day), uninsuredFeeMultiple: 5),
            CompensationRules(version: 3, effectiveFrom: Date(timeIntervalSince1970: 200 * day), uninsuredFeeMultiple: 7),
        ]
        let before = try #require(CompensationRules.inForce(at: Date(timeIntervalSince1970: 99 * day), among: versions))
        let between = try #require(CompensationRules.inForce(at: Date(timeIntervalSince1970: 100 * day), among: versions))
        let after = try #require(CompensationRules.inForce(at: Date(timeIntervalSince1970: 365 * day), among: versions))
        #expect([before.version, between.version, after.version] == [Int]([1, 2, 3]))
        let input = CompensationInput(incident: .loss, serviceFeeFen: 1_000, claimedLossFen: 100_000)
        #expect(try CompensationEngine.suggest(input, rules: before).amountFen == 3_000)
        #expect(try CompensationEngine.suggest(input, rules: between).amountFen == 5_000)
        #expect(try CompensationEngine.suggest(input, rules: after).amountFen == 7_000)
        #expect(CompensationRules.inForce(at: Date(timeIntervalSince1970: -1), among: versions) == nil)
    }

    @Test func badInputIsRefusedWithTheFieldsNamed() {
        let bad = CompensationInput(incident: .loss, serviceFeeFen: -1, insuredValueFen: 0, claimedLossFen: -5,
                                    damagePercent: 50)
        #expect(throws: KesuError.self) { try CompensationEngine.suggest(bad, rules: v1) }
        do {
            _ = try CompensationEngine.suggest(bad, rules: v1)
        } catch let error as KesuError {
            let fields = Set(error.details.keys)
            #expect(fields.isSuperset(of: ["serviceFeeFen", "insuredValueFen", "claimedLossFen", "damagePercent"]))
        } catch {}
        #expect(throws: KesuError.self) {
            try CompensationRules(version: 2, effectiveFrom: Date(), uninsuredFeeMultiple: 0).validate()
        }
        #expect(CompensationEngine.yuan(123_456) == "¥1234.56" && CompensationEngine.yuan(5) == "¥0.05")
    }

    @Test("yuan typed by people", arguments: [
        ("120", Int64?(12_000)), ("120.5", 12_050), ("¥120.50", 12_050), (" 0.07 ", 7), ("12.345", nil),
        ("-3", nil), ("abc", nil), ("", nil), ("1e3", nil), ("12.", nil), ("１２", nil),
    ])
    func parsesYuan(text: String, fen: Int64?) {
        #expect(CompensationEngine.fen(fromYuan: text) == fen)
    }
}

/// 责任认定's own rules.
struct ResponsibilityTests {
    @Test("what a finding needs", arguments: [
        (ResponsibleParty.outlet, String?("SH-PD"), "未按约定送货上门", true),
        (.outlet, nil, "未按约定送货上门", false),
        (.transferCentre, nil, "分拣错误", false),
        (.courier, "C-001", "业务员未电话联系", true),
        (.forceMajeure, "SH-PD", "暴雨", false),
        (.forceMajeure, nil, "台风停运", true),
        (.customer, nil, "地", false),
        (.sales, nil, "报价与实际不符", true),
    ])
    func finding(party: ResponsibleParty, unit: String?, reason: String, valid: Bool) {
        let finding = Responsibility(party: party, unitCode: unit, reason: reason, evidence: ["签收底单.jpg", " "])
        let passes = (try? finding.validate()) != nil
        #expect(passes == valid)
        #expect(finding.evidence == ["签收底单.jpg"], "blank references are dropped")
    }

    @Test func theLimitCountsBlankReferencesSentToo() {
        let blanks = Responsibility(party: .agent, reason: "态度不好", evidence: Array(repeating: "", count: 11))
        #expect(blanks.evidence.isEmpty)
        #expect(throws: KesuError.self) { try blanks.validate() }
        let ten = Responsibility(party: .agent, reason: "态度不好", evidence: Array(repeating: "录音", count: 10))
        #expect((try? ten.validate()) != nil)
    }

    @Test func unitKindsFitTheParty() {
        #expect(Responsibility.unitKinds(for: .outlet) == [.outlet])
        #expect(Responsibility.unitKinds(for: .courier).contains(.courier))
        #expect(Responsibility.unitKinds(for: .forceMajeure).isEmpty)
    }
}

/// Proposals within and above authority, and who may approve them.
struct ProposalRulesTests {
    let limits = AuthorityLimits.standard
    let agent = UUID(), supervisor = UUID(), other = UUID()

    @Test("within or above authority", arguments: [
        (Role.agent, Int64(10_000), ProposalState.ready), (.agent, 10_001, .pendingApproval),
        (.supervisor, 50_000, .ready), (.supervisor, 50_001, .pendingApproval), (.claims, 200_000, .ready),
        (.admin, 99_000_000, .ready), (.outlet, 1, .pendingApproval), (.agent, 0, .ready),
    ])
    func initial(role: Role, amount: Int64, state: ProposalState) {
        #expect(ProposalRules.initialState(amountFen: amount, proposer: role, limits: limits) == state)
    }

    @Test func approvalNeedsAnotherPersonWithEnoughAuthorityWhileItWaits() throws {
        try ProposalRules.checkApproval(state: .pendingApproval, amountFen: 30_000, proposerID: agent,
                                        approverID: supervisor, approver: .supervisor, limits: limits)
        #expect(throws: KesuError.self) {
            try ProposalRules.checkApproval(state: .pendingApproval, amountFen: 30_000, proposerID: agent,
                                            approverID: agent, approver: .supervisor, limits: limits)
        }
        #expect(throws: KesuError.self) {
            try ProposalRules.checkApproval(state: .pendingApproval, amountFen: 80_000, proposerID: agent,
                                            approverID: supervisor, approver: .supervisor, limits: limits)
        }
        #expect(throws: KesuError.self) {
            try ProposalRules.checkApproval(state: .ready, amountFen: 30_000, proposerID: agent,
                                            approverID: other, approver: .admin, limits: limits)
        }
        #expect(throws: KesuError.self) { try ProposalRules.checkOffer(state: .pendingApproval) }
        try ProposalRules.checkOffer(state: .ready)
        #expect(throws: KesuError.self) { try ProposalRules.validate(kind: .coupon, amountFen: 0, description: "券") }
        try ProposalRules.validate(kind: .apology, amountFen: 0, description: "网点主管上门致歉")
    }
}

/// 回访: two attempts a day apart, one answer.
struct FollowUpRulesTests {
    let t0 = Date(timeIntervalSince1970: 1_795_485_600)

    @Test func attemptsAreLimitedAndSpaced() throws {
        try FollowUpRules.checkAttempt(.noAnswer, earlier: [], now: t0)
        #expect(throws: KesuError.self) {
            try FollowUpRules.checkAttempt(.satisfied, earlier: [(.noAnswer, t0)], now: t0 + 3_600)
        }
        try FollowUpRules.checkAttempt(.satisfied, earlier: [(.noAnswer, t0)], now: t0 + 86_400)
        #expect(throws: KesuError.self) {
            try FollowUpRules.checkAttempt(.noAnswer, earlier: [(.noAnswer, t0), (.noAnswer, t0 + 86_400)], now: t0 + 200_000)
        }
        #expect(throws: KesuError.self) {
            try FollowUpRules.checkAttempt(.unsatisfied, earlier: [(.satisfied, t0)], now: t0 + 100_000)
        }
        #expect(FollowUpRules.isOpen([.noAnswer]))
        #expect(!FollowUpRules.isOpen([.noAnswer, .noAnswer]))
        #expect(!FollowUpRules.isOpen([.basicallySatisfied]))
    }
}
