import Foundation
import KesuAPI
import KesuCore
import KesuStore

extension APIHandler {
    func customerReviews() throws -> CustomerReviewService { CustomerReviewService(services: app.kesu, db: try db) }

    package func getCustomerSignals(_ input: Operations.GetCustomerSignals.Input) async throws
        -> Operations.GetCustomerSignals.Output
    {
        let actor = try RequestContext.requireActor()
        try actor.require(.viewComplaints)
        let service = try customerReviews()
        let id = try Self.uuid(input.path.id, "customer")
        _ = try await service.customer(id, for: actor)
        let reviews = try await CustomerReviewStore.reviews(of: id, on: try db)
        return .ok(.init(body: .json(.init(
            customer: id.uuidString, listed: try await service.isListed(id),
            signals: try await service.signals(of: id).map(Components.Schemas.MaliceSignal.init),
            reviews: reviews.map { Components.Schemas.CustomerReview($0) }))))
    }

    package func openCustomerReview(_ input: Operations.OpenCustomerReview.Input) async throws
        -> Operations.OpenCustomerReview.Output
    {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let review = try await customerReviews().open(try Self.uuid(input.path.id, "customer"), reason: body.reason, by: actor)
        return .created(.init(body: .json(try await reviewBody(review))))
    }

    package func listCustomerReviews(_ input: Operations.ListCustomerReviews.Input) async throws
        -> Operations.ListCustomerReviews.Output
    {
        let actor = try RequestContext.requireActor()
        try actor.require(.reviewCustomers)
        let rows = try await CustomerReviewStore.list(state: input.query.state?.rawValue ?? "open", limit: 200, on: try db)
        return .ok(.init(body: .json(rows.map { Components.Schemas.CustomerReview($0) })))
    }

    package func decideCustomerReview(_ input: Operations.DecideCustomerReview.Input) async throws
        -> Operations.DecideCustomerReview.Output
    {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let review = try await customerReviews().decide(
            try Self.uuid(input.path.id, "review"), list: body.list, reason: body.reason, evidence: body.evidence ?? "",
            expiresAt: body.expiresAt, by: actor)
        return .ok(.init(body: .json(try await reviewBody(review))))
    }

    package func askBlacklistLift(_ input: Operations.AskBlacklistLift.Input) async throws -> Operations.AskBlacklistLift.Output {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let service = try customerReviews()
        let id = try Self.uuid(input.path.id, "review")
        try await service.askLift(id, reason: body.reason, by: actor)
        return .ok(.init(body: .json(try await reviewBody(try await service.review(id, for: actor)))))
    }

    package func liftBlacklisting(_ input: Operations.LiftBlacklisting.Input) async throws -> Operations.LiftBlacklisting.Output {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let review = try await customerReviews().lift(try Self.uuid(input.path.id, "review"), reason: body.reason, by: actor)
        return .ok(.init(body: .json(try await reviewBody(review))))
    }

    func reviewBody(_ review: CustomerReviewRow) async throws -> Components.Schemas.CustomerReview {
        Components.Schemas.CustomerReview(review, entries: try await CustomerReviewStore.entries(of: review.id, on: try db))
    }
}

extension Components.Schemas.MaliceSignal {
    init(_ s: MaliceSignal) {
        self.init(kind: .init(rawValue: s.kind.rawValue) ?? .repeatedDemands, complaints: s.complaints, detail: s.detail)
    }
}

extension Components.Schemas.CustomerReview {
    init(_ r: CustomerReviewRow, entries: [CustomerReviewEntry]? = nil) {
        self.init(
            id: r.id.uuidString, customer: r.customerID.uuidString, customerName: r.customerName,
            state: .init(rawValue: r.state) ?? .open, openedBy: r.openedByName, openedAt: r.openedAt, reason: r.openedReason,
            signals: r.signals.map(Components.Schemas.MaliceSignal.init), decidedBy: r.decidedByName, decidedAt: r.decidedAt,
            decisionReason: r.decisionReason, evidence: r.evidence, expiresAt: r.expiresAt, liftedAt: r.liftedAt,
            timeline: entries?.map { .init(at: $0.at, by: $0.byName, kind: .init(rawValue: $0.kind) ?? .opened, note: $0.note) })
    }
}
