import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// /admin/jobs — the work queue's counts and the jobs that could not be delivered, each with a button to send it
/// again.
struct JobsPageController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "jobs", use: page)
        routes.post("admin", "jobs", ":id", "retry", use: retry)
    }

    struct DeadRow: Encodable { var id, kind, created, error: String; var attempts: Int }
    struct Page: Encodable {
        var chrome: PageChrome
        var section = "jobs"
        var counts: String
        var dead: [DeadRow]
    }

    @Sendable func page(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        let (counts, dead) = try await JobService(services: req.application.kesu, db: req.db).overview(by: actor)
        let language = WebSession.language(req)
        let format = PageFormat(language: language, timeZone: req.application.kesu.config.timeZone)
        let numbers = ["queued", "running", "done", "dead"].reduce(into: [String: String]()) { $0[$1] = String(counts[$1] ?? 0) }
        return try await req.view.render("admin/jobs", Page(
            chrome: Pages.chrome(req, title: language.strings["jobs"] ?? "", actor: actor),
            counts: language.text("jobs_counts", numbers),
            dead: dead.map { DeadRow(id: $0.id.uuidString, kind: $0.kind, created: format.time($0.createdAt),
                                     error: $0.lastError ?? "", attempts: $0.attempts) }))
    }

    @Sendable func retry(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw KesuError.notFound("No such job.") }
        try await JobService(services: req.application.kesu, db: req.db).revive(id, by: actor)
        return req.redirect(to: "/admin/jobs")
    }
}
