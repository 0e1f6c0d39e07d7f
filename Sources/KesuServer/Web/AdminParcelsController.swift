import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// 管理 › 问题件 — HQ quality (and admins) edit the list of reasons a problem parcel is registered for, and after how
/// many days an unsettled one lapses.
struct AdminParcelsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin", "problem-parcels")
        admin.get(use: page)
        admin.post("reasons", use: saveReason)
        admin.post("lapse", use: saveLapse)
    }

    struct ReasonRow: Encodable { var code, nameZh, nameEn: String; var active: Bool }
    struct Page: Encodable {
        var chrome: PageChrome
        var section = "parcels"
        var reasons: [ReasonRow]
        var lapseDays: Int
        var done: String?
    }

    @Sendable func page(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        try actor.require(.manageProblemParcels)
        let language = WebSession.language(req)
        let service = ProblemParcelService(services: req.application.kesu, db: req.db)
        let reasons = try await ProblemParcelStore.reasons(on: req.db)
        return try await req.view.render("admin/parcels", Page(
            chrome: Pages.chrome(req, title: language.strings["problem_parcels"] ?? "", actor: actor),
            reasons: reasons.map { ReasonRow(code: $0.code, nameZh: $0.nameZh, nameEn: $0.nameEn, active: $0.active) },
            lapseDays: Int((try await service.rules().lapseAfter / 86_400).rounded()),
            done: Pages.flash(req, language: language)))
    }

    @Sendable func saveReason(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var reasonCode: String?, nameZh: String?, nameEn: String?, active: String? }
        let form = try req.content.decode(Form.self)
        try await ProblemParcelService(services: req.application.kesu, db: req.db).saveReason(
            code: form.reasonCode ?? "", nameZh: form.nameZh ?? "", nameEn: form.nameEn ?? "", active: form.active == "1",
            by: actor)
        return req.redirect(to: Pages.withFlash("/admin/problem-parcels", "changed"))
    }

    @Sendable func saveLapse(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var lapseDays: String? }
        let form = try req.content.decode(Form.self)
        guard let days = form.lapseDays.flatMap({ Int($0.trimmed) }) else {
            throw KesuError.invalid("Give the lapse in days.", fields: ["lapseDays": ["malformed"]])
        }
        try await ProblemParcelService(services: req.application.kesu, db: req.db).setLapse(days: days, by: actor)
        return req.redirect(to: Pages.withFlash("/admin/problem-parcels", "changed"))
    }
}
