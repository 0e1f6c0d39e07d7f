import Foundation
import KesuAPI
import KesuCore
import KesuStore

extension APIHandler {
    func parcels() throws -> ProblemParcelService { ProblemParcelService(services: app.kesu, db: try db) }

    package func listProblemParcels(_ input: Operations.ListProblemParcels.Input) async throws
        -> Operations.ListProblemParcels.Output
    {
        let actor = try RequestContext.requireActor()
        let state = input.query.state.flatMap { ProblemParcelState(rawValue: $0.rawValue) } ?? .open
        let rows = try await parcels().list(state, limit: input.query.limit ?? 100, for: actor)
        let now = app.kesu.now()
        return .ok(.init(body: .json(rows.map { Components.Schemas.ProblemParcel($0, now: now) })))
    }

    package func registerProblemParcel(_ input: Operations.RegisterProblemParcel.Input) async throws
        -> Operations.RegisterProblemParcel.Output
    {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let service = try parcels()
        let row = try await service.register(ProblemParcelDraft(
            waybill: body.waybill, reason: body.reasonCode, courier: body.courier, outlet: body.outlet, note: body.note),
            by: actor)
        return .created(.init(body: .json(.init(row, now: app.kesu.now(), entries: try await service.entries(of: row.id)))))
    }

    package func getProblemParcel(_ input: Operations.GetProblemParcel.Input) async throws
        -> Operations.GetProblemParcel.Output
    {
        let actor = try RequestContext.requireActor()
        let service = try parcels()
        let row = try await service.parcel(try Self.uuid(input.path.id, "problem parcel"), for: actor)
        return .ok(.init(body: .json(.init(row, now: app.kesu.now(), entries: try await service.entries(of: row.id)))))
    }

    package func followUpProblemParcel(_ input: Operations.FollowUpProblemParcel.Input) async throws
        -> Operations.FollowUpProblemParcel.Output
    {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let service = try parcels()
        let row = try await service.followUp(
            try Self.uuid(input.path.id, "problem parcel"),
            ProblemFollowUp(method: body.method.rawValue, note: body.note, nextAttemptAt: body.nextAttemptAt), by: actor)
        return .created(.init(body: .json(.init(row, now: app.kesu.now(), entries: try await service.entries(of: row.id)))))
    }

    package func settleProblemParcel(_ input: Operations.SettleProblemParcel.Input) async throws
        -> Operations.SettleProblemParcel.Output
    {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let service = try parcels()
        let row = try await service.settle(try Self.uuid(input.path.id, "problem parcel"), as: body.outcome.rawValue,
                                           note: body.note, complaint: body.complaint, by: actor)
        return .ok(.init(body: .json(.init(row, now: app.kesu.now(), entries: try await service.entries(of: row.id)))))
    }

    package func listProblemReasons(_ input: Operations.ListProblemReasons.Input) async throws
        -> Operations.ListProblemReasons.Output
    {
        let actor = try RequestContext.requireActor()
        try actor.require(.viewProblemParcels)
        let reasons = try await ProblemParcelStore.reasons(on: try db)
        return .ok(.init(body: .json(reasons.map {
            .init(code: $0.code, nameZh: $0.nameZh, nameEn: $0.nameEn, active: $0.active)
        })))
    }
}

extension Components.Schemas.ProblemParcel {
    init(_ p: ProblemParcelRow, now: Date, entries: [ProblemParcelEntry]? = nil) {
        let rule = p.rule
        self.init(
            id: p.id.uuidString, waybill: p.waybill, reasonCode: p.reasonCode, outlet: p.outletCode, outletName: p.outletName,
            courier: p.courierCode, courierName: p.courierName, note: p.note, openedBy: p.openedByName, openedAt: p.openedAt,
            lastContactAt: p.lastContactAt, followUps: p.followUps, followUpDueAt: rule.followUpDue, lapseAt: p.lapseAt,
            lapsed: rule.lapsed(by: now), settledAt: p.settledAt,
            outcome: p.outcome.flatMap { OutcomePayload(rawValue: $0) }, complaintNumber: p.complaintNumber, neglected: p.neglected,
            timeline: entries?.map {
                .init(at: $0.at, by: $0.byName, kind: .init(rawValue: $0.kind) ?? .registered, method: $0.method, note: $0.note,
                      nextAttemptAt: $0.nextAttemptAt)
            })
    }
}
