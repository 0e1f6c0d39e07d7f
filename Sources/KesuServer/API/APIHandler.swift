import Fluent
import Foundation
import KesuAPI
import KesuCore
import KesuStore
import Vapor

/// Implements the generated `APIProtocol` (Sources/KesuAPI/openapi.yaml). Each method parses, authorises through
/// the services, and maps the result; errors are thrown and rendered by ``APIErrorMiddleware``.
package struct APIHandler: APIProtocol {
    let app: Application

    package init(app: Application) { self.app = app }

    var db: any Database { get throws { try RequestContext.currentRequest().db } }

    func complaints() throws -> ComplaintService { ComplaintService(services: app.kesu, db: try db) }

    // MARK: Auth

    package func createToken(_ input: Operations.CreateToken.Input) async throws -> Operations.CreateToken.Output {
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let auth = AuthService(app: app)
        let source = try RequestContext.currentRequest().sourceAddress
        let user = try await auth.login(username: body.username, password: body.password, source: source, on: try db)
        let (token, expires) = try await auth.issueToken(for: user, on: try db)
        return .ok(.init(body: .json(.init(token: token, expiresAt: expires, user: try .init(user)))))
    }

    package func revokeToken(_ input: Operations.RevokeToken.Input) async throws -> Operations.RevokeToken.Output {
        let actor = try RequestContext.requireActor()
        guard let tokenID = actor.tokenID else { throw KesuError.invalid("This request carried no token.") }
        _ = try await AuthService(app: app).revoke(tokenID: tokenID, on: try db)
        return .noContent(.init())
    }

    package func whoAmI(_ input: Operations.WhoAmI.Input) async throws -> Operations.WhoAmI.Output {
        let actor = try RequestContext.requireActor()
        guard let user = try await UserModel.query(on: try db).filter(\.$id == actor.userID).with(\.$unit).first() else {
            throw KesuError(.unauthenticated, "The user is gone.")
        }
        return .ok(.init(body: .json(try .init(user))))
    }

    // MARK: Complaints

    package func createComplaint(_ input: Operations.CreateComplaint.Input) async throws
        -> Operations.CreateComplaint.Output
    {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        var draft = ComplaintDraft(
            channel: try convert(body.channel), customerName: body.customer.name, customerPhone: body.customer.phone,
            customerEmail: body.customer.email, waybillNumbers: body.waybillNumbers, description: body.description,
            category: try body.category.map { try convert($0) }, subcategory: body.subcategory,
            priority: try body.priority.map { try convert($0) }, receivedAt: body.receivedAt,
            regulatorForwardedAt: body.regulatorForwardedAt)
        draft.regulatorCaseNumber = body.regulatorCaseNumber
        draft.regulatorDueAt = body.regulatorDueAt
        let complaint = try await complaints().record(draft, idempotencyKey: input.headers.idempotencyKey, by: actor)
        return .created(.init(body: .json(try .init(complaint, for: actor))))
    }

    package func listComplaints(_ input: Operations.ListComplaints.Input) async throws
        -> Operations.ListComplaints.Output
    {
        let actor = try RequestContext.requireActor()
        try actor.require(.viewComplaints)
        let q = input.query
        var search = ComplaintSearch()
        search.status = try q.status.map { try convert($0) }
        search.category = try q.category.map { try convert($0) }
        search.priority = try q.priority.map { try convert($0) }
        search.channel = try q.channel.map { try convert($0) }
        search.receivedFrom = q.receivedFrom
        search.receivedTo = q.receivedTo
        search.assignee = q.assignee
        search.outlet = q.outlet
        search.waybill = q.waybill
        search.phone = q.phone
        // The document's limit, which the generated handlers do not check for query parameters.
        if let text = q.q, text.length > 100 {
            throw KesuError.invalid("q is at most 100 characters.", fields: ["q": ["at most 100 characters"]])
        }
        search.text = q.q
        search.timeZone = app.kesu.config.timeZone
        search.limit = q.limit ?? 50
        guard (1...200).contains(search.limit) else {
            throw KesuError.invalid("limit must be from 1 to 200.", fields: ["limit": ["1 to 200"]])
        }
        if let cursor = q.cursor {
            guard let parsed = ListCursor(token: cursor) else {
                throw KesuError.refused("The cursor is not one this server gave out.", fields: ["cursor": ["malformed"]])
            }
            search.cursor = parsed
        }
        // A filter naming nobody (unknown user, outlet or phone) matches nothing.
        guard let query = try await search.query(for: actor, on: try db) else {
            return .ok(.init(body: .json(.init(items: []))))
        }
        let (rows, next) = try await query.run(on: try db)
        let items = try rows.map { try Components.Schemas.Complaint($0, for: actor) }
        return .ok(.init(body: .json(.init(items: items, nextCursor: next?.token))))
    }

    package func getComplaint(_ input: Operations.GetComplaint.Input) async throws -> Operations.GetComplaint.Output {
        let actor = try RequestContext.requireActor()
        let d = try await ComplaintDetails.load(input.path.number, for: actor, parts: .core, services: app.kesu, db: try db)
        return .ok(.init(body: .json(try .init(d.complaint, for: actor, timeline: d.timeline, shipments: d.shipments,
                                               clocks: d.clocks, now: app.kesu.now(), finding: d.finding))))
    }

    package func updateComplaint(_ input: Operations.UpdateComplaint.Input) async throws
        -> Operations.UpdateComplaint.Output
    {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let change = ComplaintChange(
            assignee: body.assignee, outlet: body.outlet, category: try body.category.map { try convert($0) },
            subcategory: body.subcategory, priority: try body.priority.map { try convert($0) })
        let complaint = try await complaints().change(input.path.number, change, by: actor)
        return .ok(.init(body: .json(try .init(complaint, for: actor))))
    }

    package func transitionComplaint(_ input: Operations.TransitionComplaint.Input) async throws
        -> Operations.TransitionComplaint.Output
    {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let request = TransitionRequest(
            to: try convert(body.to), note: body.note, resolutionSummary: body.resolutionSummary,
            responsibleParty: try body.responsibleParty.map { try convert($0) }, rootCause: body.rootCause,
            rectification: body.rectificationAction == nil && body.rectificationUnit == nil && body.rectificationDueAt == nil
                ? nil : RectificationPlan(action: body.rectificationAction, unit: body.rectificationUnit,
                                          dueAt: body.rectificationDueAt))
        let complaint = try await complaints().transition(input.path.number, request, by: actor)
        return .ok(.init(body: .json(try .init(complaint, for: actor))))
    }

    package func addNote(_ input: Operations.AddNote.Input) async throws -> Operations.AddNote.Output {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let event = try await complaints().addNote(
            input.path.number, body: body.body, customerVisible: body.customerVisible,
            toRegulator: body.toRegulator ?? false, by: actor)
        return .created(.init(body: .json(.init(event))))
    }
}
