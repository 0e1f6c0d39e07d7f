import Fluent
import Foundation
import KesuAPI
import KesuCore
import KesuStore
import Vapor

extension APIHandler {
    func proposals() throws -> ProposalService { ProposalService(services: app.kesu, db: try db) }

    static func proposalID(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw KesuError.notFound("No proposal \(text.prefix(40)).") }
        return id
    }

    package func listProposals(_ input: Operations.ListProposals.Input) async throws -> Operations.ListProposals.Output {
        let actor = try RequestContext.requireActor()
        let rows = try await proposals().list(input.path.number, by: actor)
        return .ok(.init(body: .json(try rows.map(Components.Schemas.Proposal.init))))
    }

    package func createProposal(_ input: Operations.CreateProposal.Input) async throws -> Operations.CreateProposal.Output {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let row = try await proposals().propose(input.path.number, kind: try convert(body.kind), amountFen: body.amountFen,
                                                description: body.description, by: actor)
        return .created(.init(body: .json(try .init(row))))
    }

    package func approveProposal(_ input: Operations.ApproveProposal.Input) async throws
        -> Operations.ApproveProposal.Output
    {
        let actor = try RequestContext.requireActor()
        let row = try await proposals().approve(input.path.number, try Self.proposalID(input.path.id), by: actor)
        return .ok(.init(body: .json(try .init(row))))
    }

    package func offerProposal(_ input: Operations.OfferProposal.Input) async throws -> Operations.OfferProposal.Output {
        let actor = try RequestContext.requireActor()
        let row = try await proposals().offer(input.path.number, try Self.proposalID(input.path.id), by: actor)
        return .ok(.init(body: .json(try .init(row))))
    }

    package func decideProposal(_ input: Operations.DecideProposal.Input) async throws
        -> Operations.DecideProposal.Output
    {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let row = try await proposals().decide(input.path.number, try Self.proposalID(input.path.id),
                                               accepted: body.accepted, reason: body.reason, by: actor)
        return .ok(.init(body: .json(try .init(row))))
    }

    package func listTasks(_ input: Operations.ListTasks.Input) async throws -> Operations.ListTasks.Output {
        let actor = try RequestContext.requireActor()
        return .ok(.init(body: .json(try await proposals().tasks(input.path.number, by: actor).map { try Components.Schemas.Task($0) })))
    }

    package func completeTask(_ input: Operations.CompleteTask.Input) async throws -> Operations.CompleteTask.Output {
        let actor = try RequestContext.requireActor()
        var note: String?
        if case .json(let body) = input.body { note = body.note }
        guard let id = UUID(uuidString: input.path.id) else { throw KesuError.notFound("No task \(input.path.id.prefix(40)).") }
        let rows = try await proposals().completeTask(input.path.number, id, note: note, by: actor)
        return .ok(.init(body: .json(try rows.map { try Components.Schemas.Task($0) })))
    }

    package func listFollowUps(_ input: Operations.ListFollowUps.Input) async throws -> Operations.ListFollowUps.Output {
        let actor = try RequestContext.requireActor()
        let rows = try await FollowUpService(services: app.kesu, db: try db).list(input.path.number, by: actor)
        return .ok(.init(body: .json(try rows.map { try Components.Schemas.FollowUp($0) })))
    }

    package func recordFollowUp(_ input: Operations.RecordFollowUp.Input) async throws -> Operations.RecordFollowUp.Output {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let rows = try await FollowUpService(services: app.kesu, db: try db).record(
            input.path.number, outcome: try convert(body.outcome), comment: body.comment, by: actor)
        return .created(.init(body: .json(try rows.map { try Components.Schemas.FollowUp($0) })))
    }

    package func listAuthorityLimits(_ input: Operations.ListAuthorityLimits.Input) async throws
        -> Operations.ListAuthorityLimits.Output
    {
        _ = try RequestContext.requireActor()
        return .ok(.init(body: .json(try await authorityLimits())))
    }

    package func setAuthorityLimit(_ input: Operations.SetAuthorityLimit.Input) async throws
        -> Operations.SetAuthorityLimit.Output
    {
        let actor = try RequestContext.requireActor()
        try actor.require(.manageCompensation)
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        try await ReferenceDataService(services: app.kesu, db: try db)
            .setAuthorityLimit(try convert(input.path.role), limitFen: body.limitFen, by: actor)
        return .ok(.init(body: .json(try await authorityLimits())))
    }

    func authorityLimits() async throws -> [Components.Schemas.AuthorityLimit] {
        let limits = try await ProposalStore.authorityLimits(on: try db)
        return try Role.allCases.map { .init(role: try convert($0), limitFen: limits.limit(for: $0)) }
    }
}

extension Components.Schemas.FollowUp {
    init(_ f: FollowUpRow) throws {
        self.init(outcome: try convert(f.outcome), comment: f.comment, via: try stored(f.via), recordedBy: f.recordedBy,
                  at: f.at)
    }
}

extension Components.Schemas.Task {
    init(_ t: TaskRow) throws {
        self.init(id: t.id.uuidString, kind: try convert(t.kind), title: t.title,
                  owner: t.ownerName, dueAt: t.dueAt, done: t.done, doneAt: t.doneAt, doneBy: t.doneByName, note: t.note)
    }
}

extension Components.Schemas.Proposal {
    init(_ p: ProposalRow) throws {
        self.init(id: p.id.uuidString, kind: try convert(p.kind), amountFen: p.amountFen, description: p.description,
                  state: try convert(p.state), proposedBy: p.proposedByName, proposedAt: p.proposedAt,
                  approvedBy: p.approvedByName, approvedAt: p.approvedAt, offeredAt: p.offeredAt,
                  decidedAt: p.decidedAt, decisionReason: p.decisionReason)
    }
}
