import Fluent
import Foundation
import KesuCore
import KesuStore

/// 智能分诊 at intake and after: a complaint recorded without a category gets the model's (flag `suggested`), or
/// waits in "needs triage" (flag `needs_triage`) when the model is not sure; an agent confirms or changes it, and a
/// change is kept as a correction to learn from.
extension ComplaintService {
    static let suggestedFlag = "suggested"
    static let needsTriageFlag = "needs_triage"

    /// The model's answer for a complaint given without a category, with what Kesu knows of its shipment.
    func triage(_ intake: ValidIntake, shipments: [ShipmentModel], problemParcel: Bool) async throws -> TriageSuggestion? {
        guard intake.category == nil else { return nil }
        var context = TriageContext(itemKind: shipments.first?.itemKind, channel: intake.channel)
        if problemParcel {
            context.tracking = .problem
        } else if let shipment = shipments.first {
            let last = try await TrackingEventModel.query(on: db).filter(\.$shipment.$id == shipment.requireID())
                .sort(\.$at, .descending).first()
            context.tracking = Self.tracking(last: last, now: services.clock.now())
        }
        return services.triage.classify(intake.description, context: context)
    }

    /// What the newest scan says: signed, stuck (no scan for two days), moving, or never picked up.
    static func tracking(last: TrackingEventModel?, now: Date) -> TriageContext.Tracking {
        guard let last else { return .notPickedUp }
        if last.kind == "delivered" || last.kind == "signed" { return .signed }
        if last.kind == "exception" { return .problem }
        return now.timeIntervalSince(last.at) >= 2 * 86_400 ? .stuck : .moving
    }

    /// The flag and the timeline entry a new complaint gets from its suggestion.
    func triageRecord(_ suggestion: TriageSuggestion, complaintID: UUID, actor: Actor, at now: Date)
        -> (flag: String, event: ComplaintEventModel)
    {
        var after: [String: String] = [:]
        for (i, r) in suggestion.topTwo.enumerated() {
            after[i == 0 ? "first" : "second"] = r.category.rawValue
            after[i == 0 ? "firstConfidence" : "secondConfidence"] = String(format: "%.2f", r.confidence)
        }
        if let category = suggestion.category {
            after["category"] = category.rawValue
            if let sub = suggestion.subcategory { after["subcategory"] = sub }
            return (Self.suggestedFlag, event(complaintID, actor, "category_suggested", visible: false,
                                              note: "category suggested from the description", after: after, at: now))
        }
        return (Self.needsTriageFlag, event(complaintID, actor, "triage_needed", visible: false,
                                            note: "not sure of the category: needs triage", after: after, at: now))
    }

    /// When an agent sets the category of a complaint triage suggested or left open: the flags go, the choice is on
    /// the timeline (a confirmation when it is the suggested one), and a different choice is kept as a correction.
    func settleTriage(_ current: ComplaintModel, chosen: ComplaintCategory, subcategory: String?, actor: Actor,
                      at now: Date, on tx: any Database) async throws -> [ComplaintEventModel] {
        var flags = current.flags.split(separator: ",").map(String.init)
        let wasSuggested = flags.contains(Self.suggestedFlag)
        guard wasSuggested || flags.contains(Self.needsTriageFlag) else { return [] }
        flags.removeAll { $0 == Self.suggestedFlag || $0 == Self.needsTriageFlag }
        current.flags = flags.joined(separator: ",")
        let id = try current.requireID()
        let suggested = wasSuggested ? current.category : nil
        if suggested == chosen.rawValue {
            return [event(id, actor, "category_confirmed", visible: false, after: ["category": chosen.rawValue], at: now)]
        }
        try await TriageCorrectionStore.record(
            id: services.ids.next(), complaintID: id,
            .init(description: current.description, suggested: suggested, chosen: chosen.rawValue,
                  chosenSubcategory: subcategory.flatMap { $0.isEmpty ? nil : $0 }),
            at: now, on: tx)
        return []
    }
}
