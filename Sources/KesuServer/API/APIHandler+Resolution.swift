import Fluent
import Foundation
import KesuAPI
import KesuCore
import KesuStore
import Vapor

extension APIHandler {
    func compensation() throws -> CompensationService { CompensationService(services: app.kesu, db: try db) }

    package func setResponsibility(_ input: Operations.SetResponsibility.Input) async throws
        -> Operations.SetResponsibility.Output
    {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let service = try complaints()
        let complaint = try await service.setResponsibility(
            input.path.number,
            Responsibility(party: try convert(body.party), unitCode: body.unit, person: body.person, reason: body.reason,
                           evidence: body.evidence ?? []),
            by: actor)
        let finding = try await service.finding(of: complaint)
        return .ok(.init(body: .json(try .init(complaint, for: actor, finding: finding))))
    }

    package func listCompensationRules(_ input: Operations.ListCompensationRules.Input) async throws
        -> Operations.ListCompensationRules.Output
    {
        _ = try RequestContext.requireActor()
        return .ok(.init(body: .json(try await compensation().versions().map(Components.Schemas.CompensationRules.init))))
    }

    package func createCompensationRules(_ input: Operations.CreateCompensationRules.Input) async throws
        -> Operations.CreateCompensationRules.Output
    {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let service = try compensation()
        let added = try await service.addVersion(effectiveFrom: body.effectiveFrom,
                                                 uninsuredFeeMultiple: body.uninsuredFeeMultiple,
                                                 couponCapFen: body.couponCapFen, by: actor)
        guard let row = try await service.versions().first(where: { $0.rules.version == added.version }) else {
            throw KesuError(.internalError, "version \(added.version) vanished")
        }
        return .created(.init(body: .json(.init(row))))
    }

    package func compensationSuggestion(_ input: Operations.CompensationSuggestion.Input) async throws
        -> Operations.CompensationSuggestion.Output
    {
        let actor = try RequestContext.requireActor()
        let q = input.query
        let s = try await compensation().suggest(
            input.path.number, incident: try convert(q.incident), claimedLossFen: q.claimedLossFen,
            damagePercent: q.damagePercent, waybill: q.waybill, by: actor)
        return .ok(.init(body: .json(.init(
            amountFen: s.suggestion.amountFen, rule: try convert(s.suggestion.rule), version: s.rules.version,
            effectiveFrom: s.rules.effectiveFrom, explanation: s.suggestion.explanationZh,
            explanationEn: s.suggestion.explanationEn, couponCapFen: s.suggestion.couponCapFen,
            inputs: .init(incident: s.input.incident.rawValue, waybill: s.waybill, serviceFeeFen: s.input.serviceFeeFen,
                          insuredValueFen: s.input.insuredValueFen, claimedLossFen: s.input.claimedLossFen,
                          damagePercent: s.input.damagePercent, itemKind: s.input.itemKind,
                          uninsuredFeeMultiple: s.rules.uninsuredFeeMultiple)))))
    }
}

extension Components.Schemas.CompensationRules {
    init(_ row: CompensationRulesRow) {
        self.init(version: row.rules.version, effectiveFrom: row.rules.effectiveFrom,
                  uninsuredFeeMultiple: row.rules.uninsuredFeeMultiple, couponCapFen: row.rules.couponCapFen,
                  createdAt: row.createdAt, createdBy: row.createdBy)
    }
}
