import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// /admin/outbox — every message to customers (e-mail, and next SMS and WeChat) with its state, filtered by state;
/// a message given up can be sent again.
struct OutboxPageController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "outbox", use: page)
        routes.post("admin", "outbox", ":id", "retry", use: retry)
    }

    struct Row: Encodable {
        var id, created, number, channel, notice, to, state, stateName, error: String
        var attempts: Int
        var dead: Bool
    }
    struct Tab: Encodable { var state, name: String; var count: Int; var on: Bool }
    struct Page: Encodable {
        var chrome: PageChrome
        var section = "outbox"
        var tabs: [Tab]
        var messages: [Row]
    }

    @Sendable func page(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        let state: String? = req.query["state"].flatMap { OutboxService.states.contains($0) ? $0 : nil }
        let (counts, messages) = try await OutboxService(services: req.application.kesu, db: req.db).overview(state: state, by: actor)
        let language = WebSession.language(req)
        let format = PageFormat(language: language, timeZone: req.application.kesu.config.timeZone)
        let t = language.strings
        let tabs = [Tab(state: "", name: t["outbox_all"] ?? "", count: counts.values.reduce(0, +), on: state == nil)]
            + OutboxService.states.map { Tab(state: $0, name: t["outbox_state." + $0] ?? $0, count: counts[$0] ?? 0, on: state == $0) }
        return try await req.view.render("admin/outbox", Page(
            chrome: Pages.chrome(req, title: t["outbox"] ?? "", actor: actor), tabs: tabs,
            messages: messages.map { row, number in
                Row(id: row.id.uuidString, created: format.time(row.createdAt), number: number ?? "",
                    channel: KesuCore.Channel(rawValue: row.channel).map(language.name(of:)) ?? t["channel_out." + row.channel] ?? row.channel,
                    notice: t["notice_kind." + row.notice] ?? row.notice, to: CustomerNotices.mask(row.recipient),
                    state: row.state, stateName: (t["outbox_state." + row.state] ?? row.state)
                        + (row.state == "held" || row.state == "queued" || row.state == "failed" ? " · " + format.time(row.runAt) : ""),
                    error: row.lastError ?? "", attempts: row.attempts, dead: row.state == "dead" || row.state == "undelivered")
            }))
    }

    @Sendable func retry(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw KesuError.notFound("No such message.") }
        try await OutboxService(services: req.application.kesu, db: req.db).revive(id, by: actor)
        return req.redirect(to: "/admin/outbox?state=dead")
    }
}
