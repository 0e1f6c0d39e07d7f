import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// 月度对账单 — a unit's month of fines and rewards, per outlet and courier, on a page and as CSV for Excel.
struct FineStatementPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("fines", "statement", use: page)
        routes.get("fines", "statement.csv", use: csv)
    }

    struct LineRow: Encodable {
        var unit, name, issuedFen, reducedFen, revokedFen, collectedFen, pendingFen, rewardFen, netFen: String
        var issued, appealed, reduced, revoked, rewarded: Int
        var negative: Bool
    }

    struct Page: Encodable {
        var chrome: PageChrome
        var unit, unitName, month, query: String
        var units: [Choice]
        var lines: [LineRow]
        var total: LineRow
        var reward: String
    }

    static func row(_ l: StatementLine, label: String? = nil) -> LineRow {
        let y = { FineMoney.display($0) }
        return LineRow(unit: label ?? l.unitCode, name: label == nil ? l.unitName : "", issuedFen: y(l.issuedFen),
                       reducedFen: y(l.reducedFen), revokedFen: y(l.revokedFen), collectedFen: y(l.collectedFen),
                       pendingFen: y(l.pendingFen), rewardFen: y(l.rewardFen), netFen: y(l.netFen), issued: l.issued,
                       appealed: l.appealed, reduced: l.reduced, revoked: l.revoked, rewarded: l.rewarded,
                       negative: l.netFen < 0)
    }

    static func statement(_ req: Request, actor: Actor) async throws -> FineStatement {
        try await FineStatements(services: req.application.kesu, db: req.db)
            .statement(unit: req.query[String.self, at: "unit"], month: req.query[String.self, at: "month"], for: actor)
    }

    @Sendable func page(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        let language = WebSession.language(req)
        let t = language.strings
        let s = try await Self.statement(req, actor: actor)
        let units = try await OrgStore.all(on: req.db).filter {
            $0.kind != UnitKind.courier.rawValue && actor.unitPath.contains(UnitPath(rawValue: $0.path))
        }
        let query = "unit=\(Pages.queryValue(s.unitCode))&month=\(s.month)"
        return try await req.view.render("fines/statement", Page(
            chrome: Pages.chrome(req, title: (t["fine_statement"] ?? "") + " " + s.month, actor: actor),
            unit: s.unitCode, unitName: s.unitName, month: s.month, query: query,
            units: units.map { Choice(value: $0.code, label: "\($0.name) (\($0.code))", selected: $0.code == s.unitCode) },
            lines: s.lines.map { Self.row($0) }, total: Self.row(s.total, label: t["statement_total"] ?? "Total"),
            reward: FineMoney.display(s.rewardFen)))
    }

    @Sendable func csv(req: Request) async throws -> Response {
        let actor = try RequestContext.requireActor()
        let language = WebSession.language(req)
        let s = try await Self.statement(req, actor: actor)
        let headers = ["month", "unit", "unit_name", "issued", "issued_amount", "appealed", "reduced", "reduced_amount",
                       "revoked", "revoked_amount", "collected", "pending", "rewarded", "reward_amount", "net"]
            .map { language.strings["statement_col." + $0] ?? $0 }
        var response = HTTPHeaders()
        response.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        let name = "statement-\(s.unitCode)-\(s.month).csv"
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "statement.csv"
        response.replaceOrAdd(name: "Content-Disposition", value: "attachment; filename=\"statement.csv\"; filename*=UTF-8''\(encoded)")
        response.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return Response(status: .ok, headers: response,
                        body: .init(data: FineStatements.csv(s, headers: headers, totalLabel: language.strings["statement_total"] ?? "Total")))
    }
}
