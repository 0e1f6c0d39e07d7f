import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// The compensation rules' versions, and what they allow for a complaint.
package struct CompensationService: Sendable {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    package func versions() async throws -> [CompensationRulesRow] {
        try await CompensationStore.versions(on: db)
    }

    /// Adds the next version. It may not take effect in the past: complaints already received keep the rules they
    /// were received under.
    package func addVersion(effectiveFrom: Date, uninsuredFeeMultiple: Int, couponCapFen: Int64, by actor: Actor)
        async throws -> CompensationRules
    {
        try actor.require(.manageCompensation)
        let now = services.now()
        guard effectiveFrom >= now.addingTimeInterval(-60) else {
            throw KesuError.refused("A new version cannot take effect in the past.",
                                    fields: ["effectiveFrom": ["in the past"]])
        }
        try CompensationRules(version: 0, effectiveFrom: effectiveFrom, uninsuredFeeMultiple: uninsuredFeeMultiple,
                              couponCapFen: couponCapFen).validate()
        let id = services.ids.next()
        do {
            return try await services.writer.write(on: db) { tx in
                try await CompensationStore.add(
                    effectiveFrom: effectiveFrom.roundedToMillis, uninsuredFeeMultiple: uninsuredFeeMultiple,
                    couponCapFen: couponCapFen, by: actor.username, now: now, id: id, on: tx)
            }
        } catch let error as KesuError {
            throw error
        } catch {
            throw KesuError.conflict("Another version was added at the same moment; try again.")
        }
    }

    /// What the suggestion was computed from.
    package struct Suggested: Sendable {
        package var suggestion: CompensationSuggestion
        package var rules: CompensationRules
        package var input: CompensationInput
        package var waybill: String
    }

    /// The amount the rules in force when the complaint was received allow for `incident` on one of its shipments.
    package func suggest(_ number: String, incident: Incident, claimedLossFen: Int64?, damagePercent: Int?,
                         waybill: String?, by actor: Actor) async throws -> Suggested
    {
        let complaint = try await ComplaintService(services: services, db: db).visible(number, to: actor, for: .viewComplaints)
        let wanted = try waybill.map(ShipmentService.normalise)
        if let wanted, !complaint.waybillList.contains(wanted) {
            throw KesuError.refused("\(wanted) is not a waybill of complaint \(complaint.number).",
                                    fields: ["waybill": ["not on this complaint"]])
        }
        let shipments = try await ShipmentService.load(waybills: wanted.map { [$0] } ?? complaint.waybillList, on: db)
        let order = complaint.waybillList
        guard let shipment = shipments.min(by: {
            (order.firstIndex(of: $0.waybill) ?? .max) < (order.firstIndex(of: $1.waybill) ?? .max)
        }) else {
            throw KesuError.refused("No shipment data for this complaint's waybills yet, so the fee and insured value are unknown.",
                                    fields: ["waybill": ["no shipment data"]])
        }
        let versions = try await versions().map(\.rules)
        guard let rules = CompensationRules.inForce(at: complaint.receivedAt, among: versions) else {
            throw KesuError(.internalError, "no compensation rules in force at \(complaint.receivedAt)")
        }
        let input = CompensationInput(incident: incident, serviceFeeFen: shipment.serviceFeeFen,
                                      insuredValueFen: shipment.insuredValueFen, claimedLossFen: claimedLossFen,
                                      damagePercent: damagePercent, itemKind: shipment.itemKind)
        return Suggested(suggestion: try CompensationEngine.suggest(input, rules: rules), rules: rules, input: input,
                         waybill: shipment.waybill)
    }
}
