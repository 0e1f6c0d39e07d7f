import Foundation
import KesuAPI
import KesuCore
import KesuStore
import OpenAPIRuntime

extension APIHandler {
    func fines() throws -> FineService { FineService(services: app.kesu, db: try db) }

    package func listFines(_ input: Operations.ListFines.Input) async throws -> Operations.ListFines.Output {
        let actor = try RequestContext.requireActor()
        let state = input.query.state.flatMap { FineListState(rawValue: $0.rawValue) } ?? .waiting
        let month = try input.query.month.map { try FineStatements(services: app.kesu, db: try db).month($0).1 }
        let rows = try await fines().list(state, month: month, limit: input.query.limit ?? 100, for: actor)
        return .ok(.init(body: .json(rows.map { Components.Schemas.Fine($0) })))
    }

    package func issueFine(_ input: Operations.IssueFine.Input) async throws -> Operations.IssueFine.Output {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let parcel = try body.parcel.map { try Self.uuid($0, "problem parcel") }
        let service = try fines()
        let row = try await service.issue(FineDraft(
            unit: body.unit, rule: body.rule, quantity: body.quantity ?? 1, reason: body.reason, complaint: body.complaint,
            parcel: parcel, evidence: try Self.files(body.evidence)), by: actor)
        return .created(.init(body: .json(try await fineBody(row))))
    }

    package func getFine(_ input: Operations.GetFine.Input) async throws -> Operations.GetFine.Output {
        let actor = try RequestContext.requireActor()
        let row = try await fines().fine(try Self.uuid(input.path.id, "fine"), for: actor)
        return .ok(.init(body: .json(try await fineBody(row))))
    }

    package func appealFine(_ input: Operations.AppealFine.Input) async throws -> Operations.AppealFine.Output {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let row = try await fines().appeal(try Self.uuid(input.path.id, "fine"), statement: body.statement,
                                           evidence: try Self.files(body.evidence), by: actor)
        return .ok(.init(body: .json(try await fineBody(row))))
    }

    package func askSecondReview(_ input: Operations.AskSecondReview.Input) async throws -> Operations.AskSecondReview.Output {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let row = try await fines().askSecondReview(try Self.uuid(input.path.id, "fine"), statement: body.statement,
                                                    evidence: try Self.files(body.evidence), by: actor)
        return .ok(.init(body: .json(try await fineBody(row))))
    }

    package func acceptFine(_ input: Operations.AcceptFine.Input) async throws -> Operations.AcceptFine.Output {
        let actor = try RequestContext.requireActor()
        let row = try await fines().accept(try Self.uuid(input.path.id, "fine"), by: actor)
        return .ok(.init(body: .json(try await fineBody(row))))
    }

    package func decideFine(_ input: Operations.DecideFine.Input) async throws -> Operations.DecideFine.Output {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let row = try await fines().decide(try Self.uuid(input.path.id, "fine"), body.decision.rawValue, amountFen: body.amount,
                                           reason: body.reason, by: actor)
        return .ok(.init(body: .json(try await fineBody(row))))
    }

    package func listFineRules(_ input: Operations.ListFineRules.Input) async throws -> Operations.ListFineRules.Output {
        let actor = try RequestContext.requireActor()
        try actor.require(.viewFines)
        return .ok(.init(body: .json(try await FineStore.rules(on: try db).map {
            .init(code: $0.rule.code, nameZh: $0.nameZh, nameEn: $0.nameEn, kind: .init(rawValue: $0.rule.kind.rawValue) ?? .fine,
                  amount: $0.rule.amountFen, multiplierPercent: $0.rule.multiplierPercent, baseCode: $0.rule.baseCode,
                  needsNeglect: $0.rule.needsNeglect, active: $0.rule.active)
        })))
    }

    package func getFineStatement(_ input: Operations.GetFineStatement.Input) async throws -> Operations.GetFineStatement.Output {
        let actor = try RequestContext.requireActor()
        let s = try await FineStatements(services: app.kesu, db: try db).statement(unit: input.query.unit, month: input.query.month,
                                                                                  for: actor)
        return .ok(.init(body: .json(.init(unit: s.unitCode, unitName: s.unitName, month: s.month, rewardPerParcel: s.rewardFen,
                                           lines: s.lines.map(Components.Schemas.StatementLine.init),
                                           total: .init(s.total)))))
    }

    static func files(_ uploads: Components.Schemas.EvidenceUploads?) throws -> [FineEvidenceFile] {
        try (uploads ?? []).map {
            guard let bytes = Data(base64Encoded: $0.content, options: .ignoreUnknownCharacters) else {
                throw KesuError.invalid("An evidence file's content is not base64.", fields: ["evidence": ["not base64"]])
            }
            return FineEvidenceFile(kind: $0.kind.rawValue, file: EvidenceFile(name: $0.fileName, bytes: bytes))
        }
    }

    func fineBody(_ row: FineRow) async throws -> Components.Schemas.Fine {
        let db = try db
        return Components.Schemas.Fine(row, entries: try await FineStore.entries(of: row.id, on: db),
                                       evidence: try await FineStore.evidence(of: row.id, on: db))
    }
}

extension Components.Schemas.StatementLine {
    init(_ l: StatementLine) {
        self.init(unit: l.unitCode, unitName: l.unitName, issued: l.issued, issuedFen: l.issuedFen, appealed: l.appealed,
                  reduced: l.reduced, reducedFen: l.reducedFen, revoked: l.revoked, revokedFen: l.revokedFen,
                  collectedFen: l.collectedFen, pendingFen: l.pendingFen, rewarded: l.rewarded, rewardFen: l.rewardFen,
                  netFen: l.netFen)
    }
}

extension Components.Schemas.Fine {
    init(_ f: FineRow, entries: [FineEntry]? = nil, evidence: [FineEvidenceRow]? = nil) {
        self.init(
            id: f.id.uuidString, number: f.number, unit: f.unitCode, unitName: f.unitName, outletName: f.outletName,
            rule: f.ruleCode, ruleNameZh: f.ruleNameZh, ruleNameEn: f.ruleNameEn, quantity: f.quantity,
            originalFen: f.originalFen, dueFen: f.dueFen, reason: f.reason, complaintNumber: f.complaintNumber,
            parcel: f.parcelID?.uuidString, parcelWaybill: f.parcelWaybill, issuedBy: f.issuedByName, issuedAt: f.issuedAt,
            status: .init(rawValue: f.status.rawValue) ?? .final, decision: f.decision.flatMap { .init(rawValue: $0.rawValue) },
            window: f.window.flatMap { .init(rawValue: $0.rawValue) }, deadline: f.deadline, suspended: f.suspended,
            overdue: f.overdueAt != nil,
            timeline: entries?.map {
                .init(at: $0.at, by: $0.byName, kind: .init(rawValue: $0.kind) ?? .issued,
                      decision: $0.decision.flatMap { .init(rawValue: $0) }, amountFen: $0.amountFen, note: $0.note)
            },
            evidence: evidence?.map {
                .init(id: $0.id.uuidString, kind: .init(rawValue: $0.kind) ?? .other, fileName: $0.fileName,
                      contentType: $0.contentType, size: $0.size, uploadedBy: $0.uploadedBy, at: $0.createdAt)
            })
    }
}
