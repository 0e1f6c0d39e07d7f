import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// 网点首页 — the one screen an outlet owner opens in the morning, on a phone: today's problem parcels to follow up
/// (lapsed and due first), open fines with their deadlines counting down, and the complaints and questions waiting.
/// Everyone else sees the same for their own unit's subtree.
struct OutletHomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("outlet", use: home)
    }

    struct ComplaintItem: Encodable { var number, status, customer, due: String; var late: Bool }

    struct Page: Encodable {
        var chrome: PageChrome
        var unitName: String
        var parcels: [ProblemParcelPagesController.ParcelRow]
        var parcelsOpen, parcelsLapsed, parcelsDue: Int
        var fines: [FinePagesController.FineListRow]
        var showFines: Bool
        var complaints: [ComplaintItem]
        var complaintCount: Int
        var inquiries: [InquiryItem]
    }

    @Sendable func home(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        try actor.require(.viewProblemParcels)
        let language = WebSession.language(req)
        let t = language.strings
        let db = req.db
        let services = req.application.kesu
        let now = services.clock.now()
        let scope = AccessPolicy.scope(of: actor.principal)
        var open = ComplaintListQuery()
        open.scope = scope
        open.open = true
        open.limit = 10
        let showFines = actor.may(.viewFines)
        async let parcelsRead = ProblemParcelService(services: services, db: db).list(.open, limit: 30, for: actor)
        async let countsRead = ProblemParcelStore.openCounts(scope: scope, now: now, on: db)
        async let reasonsRead = ProblemParcelStore.reasons(on: db)
        async let finesRead = showFines ? FineService(services: services, db: db).list(.waiting, limit: 20, for: actor) : []
        async let complaintsRead = actor.may(.viewComplaints) ? open.page(sort: .deadline, on: db).rows : []
        async let countRead = actor.may(.viewComplaints) ? open.count(on: db) : 0
        async let inquiriesRead = InquiryService(services: services, db: db).waiting(for: actor, limit: 20)
        async let unitRead = OrgUnitModel.find(actor.unitID, on: db)
        let (parcels, counts, reasons, fines) = try await (parcelsRead, countsRead, reasonsRead, finesRead)
        let (complaints, complaintCount, inquiries, unit) = try await (complaintsRead, countRead, inquiriesRead, unitRead)
        let format = PageFormat(language: language, timeZone: services.config.timeZone)
        // Today's work: what has lapsed or is due for its daily follow-up, then the rest.
        let rows = parcels.map { ProblemParcelPagesController.row($0, reasons: reasons, language: language, format: format, now: now) }
        return try await req.view.render("outlet/home", Page(
            chrome: Pages.chrome(req, title: t["outlet_home"] ?? "", actor: actor), unitName: unit?.name ?? "",
            parcels: rows.filter { $0.state != "ok" } + rows.filter { $0.state == "ok" },
            parcelsOpen: counts.open, parcelsLapsed: counts.lapsed, parcelsDue: rows.filter { $0.state != "ok" }.count,
            fines: fines.map { FinePagesController.row($0, language: language, format: format, now: now) }, showFines: showFines,
            complaints: complaints.map { c in
                ComplaintItem(number: c.number, status: t["status." + c.status] ?? c.status,
                              customer: c.customerName, due: c.dueAt.map(format.time) ?? "—", late: (c.dueAt ?? .distantFuture) < now)
            },
            complaintCount: complaintCount,
            inquiries: inquiries.map { InvestigationPagesController.item($0, actor: actor, t: t, format: format, now: now) }))
    }
}
