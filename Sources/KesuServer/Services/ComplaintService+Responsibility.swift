import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

extension ComplaintService {
    /// A complaint's responsibility finding with its unit, as pages and the API show it.
    package struct Finding: Sendable {
        package var party: ResponsibleParty
        package var unit: OrgUnitModel?
        package var person: String?
        package var reason: String
        package var evidence: [String]
    }

    package func finding(of complaint: ComplaintModel) async throws -> Finding? {
        guard let party = complaint.responsibleParty.flatMap(ResponsibleParty.init(rawValue:)) else { return nil }
        var unit: OrgUnitModel?
        if let unitID = complaint.responsibleUnitID { unit = try await OrgUnitModel.find(unitID, on: db) }
        return Finding(party: party, unit: unit, person: complaint.responsiblePerson,
                       reason: complaint.responsibilityReason ?? "",
                       evidence: (complaint.responsibilityEvidence ?? "").split(separator: "\n").map(String.init))
    }

    /// Records who is responsible (责任认定), or changes an earlier finding; either way the timeline keeps what it
    /// was and what it became. A closed complaint keeps its finding until it is reopened.
    package func setResponsibility(_ number: String, _ finding: Responsibility, by actor: Actor) async throws
        -> ComplaintModel
    {
        try actor.require(.workComplaints)
        try finding.validate()
        let complaint = try await visible(number, to: actor, for: .workComplaints)
        let id = try complaint.requireID()
        var unit: OrgUnitModel?
        if let code = finding.unitCode {
            guard let found = try await OrgStore.find(code: code, on: db) else {
                throw KesuError.refused("No unit \(code.prefix(40)).", fields: ["unit": ["unknown unit"]])
            }
            guard let kind = UnitKind(rawValue: found.kind), Responsibility.unitKinds(for: finding.party).contains(kind) else {
                throw KesuError.refused("A \(found.kind) cannot carry \(finding.party.rawValue) responsibility.",
                                        fields: ["unit": ["wrong kind of unit for the party"]])
            }
            unit = found
        }
        let unitID = try unit?.requireID()
        let unitCode = unit?.code
        try await services.writer.write(on: db) { tx in
            guard let current = try await ComplaintModel.find(id, on: tx) else {
                throw KesuError.notFound("No complaint \(number).")
            }
            if current.status == ComplaintStatus.closed.rawValue {
                throw KesuError.conflict("Complaint \(current.number) is closed; reopen it to change its responsibility.")
            }
            var before: [String: String]?
            if let party = current.responsibleParty {
                var oldUnit: OrgUnitModel?
                if let old = current.responsibleUnitID { oldUnit = try await OrgUnitModel.find(old, on: tx) }
                before = ["party": party, "unit": oldUnit?.code ?? "", "person": current.responsiblePerson ?? ""]
            }
            let after = ["party": finding.party.rawValue, "unit": unitCode ?? "", "person": finding.person ?? ""]
            let now = self.services.now()
            current.responsibleParty = finding.party.rawValue
            current.responsibleUnitID = unitID
            current.responsiblePerson = finding.person
            current.responsibilityReason = finding.reason
            current.responsibilityEvidence = finding.evidence.isEmpty ? nil : finding.evidence.joined(separator: "\n")
            current.updatedAt = now
            try await current.update(on: tx)
            let note = "\(Language.zh.name(of: finding.party))：\(finding.reason)"
                + (finding.evidence.isEmpty ? "" : "（证据：\(finding.evidence.joined(separator: "；"))）")
            try await ComplaintStore.append([
                self.event(id, actor, before == nil ? "responsibility_set" : "responsibility_changed", visible: false,
                           note: note, before: before,
                           after: after.merging(["reason": finding.reason, "evidence": finding.evidence.joined(separator: "；")]) { a, _ in a },
                           at: now),
            ], on: tx)
        }
        return try await load(id: id)
    }
}
