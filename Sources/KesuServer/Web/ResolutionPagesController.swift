import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// 处理 on the complaint page: responsibility, proposals and their decisions, execution steps, the follow-up call,
/// and the compensation card.
struct ResolutionPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("complaints", ":number", "responsibility", use: responsibility)
        routes.post("complaints", ":number", "proposals", use: propose)
        routes.post("complaints", ":number", "proposals", ":id", ":action", use: proposalAction)
        routes.post("complaints", ":number", "tasks", ":id", "done", use: taskDone)
        routes.post("complaints", ":number", "follow-ups", use: followUp)
    }

    /// The `:id` of the path, or 404 naming what was looked for.
    static func id(_ req: Request, _ what: String) throws -> UUID {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else {
            throw KesuError.notFound("No such \(what).")
        }
        return id
    }

    /// The compensation card: the form's values and, when an incident was chosen, what the rules allow.
    static func compensationCard(_ req: Request, number: String, actor: Actor, language: Language) async throws
        -> CompensationCard
    {
        struct Query: Decodable { var incident: String?, claimed: String?, damage: String? }
        let q = try req.query.decode(Query.self)
        var card = CompensationCard(
            incidents: Incident.allCases.map {
                Choice(value: $0.rawValue, label: language.name(of: $0), selected: $0.rawValue == q.incident)
            },
            claimed: q.claimed ?? "", damage: q.damage ?? "")
        guard let incident = q.incident.flatMap(Incident.init(rawValue:)) else { return card }
        do {
            var claimed: Int64?
            if let text = q.claimed, !text.trimmed.isEmpty {
                guard let fen = CompensationEngine.fen(fromYuan: text) else {
                    throw KesuError.invalid("The claimed loss must be an amount in yuan, like 120.50.")
                }
                claimed = fen
            }
            let damage = try q.damage.flatMap { $0.trimmed.isEmpty ? nil : $0 }.map { text in
                guard let n = Int(text.trimmed) else { throw KesuError.invalid("The damaged share is a whole percent.") }
                return n
            }
            let s = try await CompensationService(services: req.application.kesu, db: req.db)
                .suggest(number, incident: incident, claimedLossFen: claimed, damagePercent: damage, waybill: nil, by: actor)
            card.amount = CompensationEngine.yuan(s.suggestion.amountFen)
            card.explanation = language.pick(zh: s.suggestion.explanationZh, en: s.suggestion.explanationEn)
            card.version = "v\(s.rules.version)"
        } catch let error as KesuError {
            card.error = error.message
        }
        return card
    }

    /// Records or changes the responsibility finding from the complaint page.
    @Sendable func responsibility(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var party: String, unit: String?, person: String?, reason: String?, evidence: String? }
        let form = try req.content.decode(Form.self)
        guard let party = ResponsibleParty(rawValue: form.party) else {
            throw KesuError.invalid("Choose who is responsible.", fields: ["party": ["unknown"]])
        }
        let number = req.parameters.get("number") ?? ""
        let evidence = (form.evidence ?? "").split(whereSeparator: \.isNewline).map(String.init)
        _ = try await ComplaintService(services: req.application.kesu, db: req.db).setResponsibility(
            number, Responsibility(party: party, unitCode: form.unit, person: form.person, reason: form.reason ?? "",
                                   evidence: evidence), by: actor)
        return req.redirect(to: Pages.withFlash("/complaints/\(number)#responsibility", "responsibility"))
    }

    /// Drafts a proposal from the complaint page (amount in yuan).
    @Sendable func propose(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var kind: String, amount: String?, description: String? }
        let form = try req.content.decode(Form.self)
        guard let kind = ProposalKind(rawValue: form.kind) else {
            throw KesuError.invalid("Choose what to propose.", fields: ["kind": ["unknown"]])
        }
        let text = (form.amount ?? "").trimmed
        guard let fen = text.isEmpty ? 0 : CompensationEngine.fen(fromYuan: text) else {
            throw KesuError.invalid("The amount must be in yuan, like 120.50.", fields: ["amountFen": ["malformed"]])
        }
        let number = req.parameters.get("number") ?? ""
        _ = try await ProposalService(services: req.application.kesu, db: req.db)
            .propose(number, kind: kind, amountFen: fen, description: form.description ?? "", by: actor)
        return req.redirect(to: Pages.withFlash("/complaints/\(number)#proposals", "proposed"))
    }

    /// Approves, offers, or records the customer's phone decision on a proposal.
    @Sendable func proposalAction(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var reason: String? }
        let form = try req.content.decode(Form.self)
        let number = req.parameters.get("number") ?? ""
        let id = try Self.id(req, "proposal")
        let service = ProposalService(services: req.application.kesu, db: req.db)
        switch req.parameters.get("action") {
        case "approve": _ = try await service.approve(number, id, by: actor)
        case "offer": _ = try await service.offer(number, id, by: actor)
        case "accept": _ = try await service.decide(number, id, accepted: true, reason: form.reason, by: actor)
        case "reject": _ = try await service.decide(number, id, accepted: false, reason: form.reason, by: actor)
        default: throw KesuError.notFound("No such action.")
        }
        let done = switch req.parameters.get("action") {
        case "approve": "approved"
        case "offer": "offered"
        default: "decided"
        }
        return req.redirect(to: Pages.withFlash("/complaints/\(number)#proposals", done))
    }

    /// Records a follow-up call from the complaint page.
    @Sendable func followUp(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var outcome: String, comment: String? }
        let form = try req.content.decode(Form.self)
        guard let outcome = FollowUpOutcome(rawValue: form.outcome) else {
            throw KesuError.invalid("Choose the outcome.", fields: ["outcome": ["unknown"]])
        }
        let number = req.parameters.get("number") ?? ""
        _ = try await FollowUpService(services: req.application.kesu, db: req.db)
            .record(number, outcome: outcome, comment: form.comment, by: actor)
        return req.redirect(to: Pages.withFlash("/complaints/\(number)#follow-up", "followed_up"))
    }

    /// Marks an execution step done from the complaint page.
    @Sendable func taskDone(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var note: String? }
        let form = try req.content.decode(Form.self)
        let number = req.parameters.get("number") ?? ""
        let id = try Self.id(req, "task")
        let note = (form.note ?? "").trimmed
        _ = try await ProposalService(services: req.application.kesu, db: req.db)
            .completeTask(number, id, note: note.isEmpty ? nil : note, by: actor)
        return req.redirect(to: Pages.withFlash("/complaints/\(number)#tasks", "task_done"))
    }
}
