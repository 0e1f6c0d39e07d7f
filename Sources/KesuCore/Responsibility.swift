import Foundation

/// 责任认定 — who is responsible for what went wrong, and why. It decides who bears the cost and whether a fine
/// follows (docs/domain.md, "Responsibility and closing").
public struct Responsibility: Sendable, Equatable {
    public var party: ResponsibleParty
    /// The organisation unit found responsible, by code (an outlet, transfer centre or courier).
    public var unitCode: String?
    /// A person's name, e.g. the courier's.
    public var person: String?
    public var reason: String
    /// What the finding rests on: attachment names, tracking scans, call records.
    public var evidence: [String]
    /// How many references were sent, blanks included: the limit is on what was sent, not on what is kept.
    private var sentEvidenceCount: Int

    public init(party: ResponsibleParty, unitCode: String? = nil, person: String? = nil, reason: String,
                evidence: [String] = []) {
        self.party = party
        self.unitCode = unitCode.map(\.trimmed).flatMap { $0.isEmpty ? nil : $0 }
        self.person = person.map(\.trimmed).flatMap { $0.isEmpty ? nil : $0 }
        self.reason = reason.trimmed
        self.evidence = evidence.map(\.trimmed).filter { !$0.isEmpty }
        self.sentEvidenceCount = evidence.count
    }

    /// The kinds of unit that may carry each party's responsibility; empty when no unit applies.
    public static func unitKinds(for party: ResponsibleParty) -> Set<UnitKind> {
        switch party {
        case .courier: [.courier, .outlet]
        case .outlet: [.outlet]
        case .transferCentre: [.transferCentre]
        case .sales, .agent: [.hq, .region, .outlet, .transferCentre]
        case .carrier, .customer, .forceMajeure, .maliciousClaim: []
        }
    }

    /// Checks what can be checked without the organisation: a reason, the names' lengths, a unit where the party
    /// needs one, and a courier named either by their unit or by name.
    public func validate() throws {
        var problems = ValidationProblems()
        // Too long breaks the schema; too short once trimmed is a rule (the schema counts the spaces).
        if reason.length > 500 {
            problems.add("reason", "must be 2 to 500 characters")
        } else if reason.trimmed.length < 2 {
            problems.refuse("reason", "must be 2 to 500 characters")
        }
        if let person, person.length > 40 { problems.add("person", "at most 40 characters") }
        if max(evidence.count, sentEvidenceCount) > 10 { problems.add("evidence", "at most 10 references") }
        if evidence.contains(where: { $0.length > 200 }) { problems.add("evidence", "each at most 200 characters") }
        switch party {
        case .outlet, .transferCentre:
            if unitCode == nil { problems.refuse("unit", "name the \(party == .outlet ? "outlet" : "transfer centre")") }
        case .courier:
            if unitCode == nil { problems.refuse("unit", "name the courier's unit or outlet") }
        case .carrier, .customer, .forceMajeure, .maliciousClaim:
            if unitCode != nil { problems.refuse("unit", "\(party.rawValue) is not a unit of the organisation") }
        case .sales, .agent:
            break
        }
        try problems.throwIfAny("The responsibility cannot be recorded")
    }
}
