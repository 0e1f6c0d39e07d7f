import Fluent
import Foundation
import KesuAPI
import KesuCore
import KesuStore
import Vapor

/// Investigation questions, root causes, rectifications and typical cases over the API.
extension APIHandler {
    func inquiries() throws -> InquiryService { InquiryService(services: app.kesu, db: try db) }
    func closure() throws -> ClosureService { ClosureService(services: app.kesu, db: try db) }

    static func uuid(_ text: String, _ what: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw KesuError.notFound("No \(what) \(text.prefix(40)).") }
        return id
    }

    package func listInquiries(_ input: Operations.ListInquiries.Input) async throws -> Operations.ListInquiries.Output {
        let actor = try RequestContext.requireActor()
        return .ok(.init(body: .json(try await inquiries().list(input.path.number, by: actor).map(Components.Schemas.Inquiry.init))))
    }

    package func askInquiry(_ input: Operations.AskInquiry.Input) async throws -> Operations.AskInquiry.Output {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let row = try await inquiries().ask(input.path.number, unitCode: body.unit, question: body.question,
                                            dueAt: body.dueAt, by: actor)
        return .created(.init(body: .json(try .init(row))))
    }

    package func answerInquiry(_ input: Operations.AnswerInquiry.Input) async throws -> Operations.AnswerInquiry.Output {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let rows = try await inquiries().answer(input.path.number, try Self.uuid(input.path.id, "investigation"),
                                                text: body.answer, by: actor)
        return .ok(.init(body: .json(try rows.map(Components.Schemas.Inquiry.init))))
    }

    package func listOpenInquiries(_ input: Operations.ListOpenInquiries.Input) async throws
        -> Operations.ListOpenInquiries.Output
    {
        let actor = try RequestContext.requireActor()
        return .ok(.init(body: .json(try await inquiries().waiting(for: actor, limit: 200).map(Components.Schemas.Inquiry.init))))
    }

    package func listRootCauses(_ input: Operations.ListRootCauses.Input) async throws -> Operations.ListRootCauses.Output {
        _ = try RequestContext.requireActor()
        let rows = try await closure().rootCauses(activeOnly: !(input.query.all ?? false))
        return .ok(.init(body: .json(rows.map { .init(code: $0.code, name: $0.name, systemic: $0.systemic, active: $0.active) })))
    }

    package func saveRootCause(_ input: Operations.SaveRootCause.Input) async throws -> Operations.SaveRootCause.Output {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let row = try await closure().saveRootCause(code: body.code, name: body.name, systemic: body.systemic,
                                                    active: body.active ?? true, by: actor)
        return .ok(.init(body: .json(.init(code: row.code, name: row.name, systemic: row.systemic, active: row.active))))
    }

    package func listRectifications(_ input: Operations.ListRectifications.Input) async throws
        -> Operations.ListRectifications.Output
    {
        let actor = try RequestContext.requireActor()
        let rows = try await closure().rectifications(for: actor, includeVerified: input.query.all ?? false)
        return .ok(.init(body: .json(try rows.map(Components.Schemas.Rectification.init))))
    }

    package func completeRectification(_ input: Operations.CompleteRectification.Input) async throws
        -> Operations.CompleteRectification.Output
    {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let row = try await closure().markDone(try Self.uuid(input.path.id, "rectification"), note: body.note, by: actor)
        return .ok(.init(body: .json(try .init(row))))
    }

    package func verifyRectification(_ input: Operations.VerifyRectification.Input) async throws
        -> Operations.VerifyRectification.Output
    {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let row = try await closure().verify(try Self.uuid(input.path.id, "rectification"), accepted: body.accepted,
                                             note: body.note, by: actor)
        return .ok(.init(body: .json(try .init(row))))
    }

    package func markTypicalCase(_ input: Operations.MarkTypicalCase.Input) async throws -> Operations.MarkTypicalCase.Output {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        try await closure().markTypical(input.path.number, lesson: body.lesson, by: actor)
        return .noContent(.init())
    }

    package func unmarkTypicalCase(_ input: Operations.UnmarkTypicalCase.Input) async throws
        -> Operations.UnmarkTypicalCase.Output
    {
        let actor = try RequestContext.requireActor()
        try await closure().unmarkTypical(input.path.number, by: actor)
        return .noContent(.init())
    }

    package func listTypicalCases(_ input: Operations.ListTypicalCases.Input) async throws
        -> Operations.ListTypicalCases.Output
    {
        let actor = try RequestContext.requireActor()
        let category = try input.query.category.map { try convert($0, to: ComplaintCategory.self) }
        let rows = try await closure().typicalCases(category: category, by: actor)
        return .ok(.init(body: .json(try rows.map(Components.Schemas.TypicalCase.init))))
    }
}

extension Components.Schemas.Inquiry {
    init(_ q: InquiryRow) throws {
        self.init(id: q.id.uuidString, complaintNumber: q.complaintNumber ?? "", unit: q.askedUnitCode ?? "",
                  unitName: q.askedUnitName ?? "", question: q.question, askedBy: q.askedByName, askedAt: q.askedAt,
                  dueAt: q.dueAt, state: try stored(q.state), answer: q.answer, answeredBy: q.answeredByName,
                  answeredAt: q.answeredAt)
    }
}

extension Components.Schemas.Rectification {
    init(_ r: RectificationRow) throws {
        self.init(id: r.id.uuidString, complaintNumber: r.complaintNumber ?? "", rootCause: r.rootCause, action: r.action,
                  ownerUnit: r.ownerUnitName ?? "", dueAt: r.dueAt, state: try stored(r.state), createdBy: r.createdByName,
                  createdAt: r.createdAt, doneNote: r.doneNote, doneBy: r.doneByName, doneAt: r.doneAt,
                  verifiedBy: r.verifiedByName, verifiedAt: r.verifiedAt)
    }
}

extension Components.Schemas.TypicalCase {
    init(_ t: TypicalCaseRow) throws {
        self.init(complaintNumber: t.number, category: try stored(t.category), lesson: t.lesson, markedBy: t.markedByName,
                  markedAt: t.markedAt, description: t.description, resolutionSummary: t.resolutionSummary,
                  responsibleParty: t.responsibleParty, rootCause: t.rootCause)
    }
}
