import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// 考核看板 on a page: the level and period chosen, a bar chart of the worst ten, the sorted table, and CSV.
struct PerformancePagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("performance", use: page)
        routes.get("performance.csv", use: csv)
    }

    struct Row: Encodable {
        var code, name, firstReply, resolution, satisfaction, fines: String
        var complaints, parcels, inTime, lapsed, finesIssued, appealed, revoked: Int
        var bar, y: Int
    }

    struct Page: Encodable {
        var chrome: PageChrome
        var levels: [Choice]
        var sorts: [Choice]
        var from, to, query, sortLabel: String
        var rows: [Row]
        var chartHeight: Int
    }

    static func share(_ n: Int, _ of: Int) -> String { of == 0 ? "—" : String(format: "%.1f%%", Double(n) * 100 / Double(of)) }

    static func read(_ req: Request) async throws
        -> (PerformanceLevel, PerformanceService.Sort, LocalDay, LocalDay, [PerformanceLine])
    {
        let actor = try RequestContext.requireActor()
        struct Query: Decodable { var level, sort, from, to: String? }
        let q = try req.query.decode(Query.self)
        let level = q.level.flatMap(PerformanceLevel.init(rawValue:))
            ?? (actor.unitKind == .outlet ? .courier : actor.unitKind == .region ? .outlet : .outlet)
        let sort = q.sort.flatMap(PerformanceService.Sort.init(rawValue:)) ?? .complaints
        let calendar = BusinessCalendar(timeZone: req.application.kesu.config.timeZone, weekly: [:])
        let today = calendar.day(of: req.application.kesu.clock.now())
        func day(_ text: String?, _ field: String) throws -> LocalDay? {
            guard let text, !text.isEmpty else { return nil }
            guard let day = LocalDay(text) else { throw KesuError.invalid("\(field) must be a date.", fields: [field: ["malformed"]]) }
            return day
        }
        let from = try day(q.from, "from") ?? LocalDay(year: today.year, month: today.month, day: 1)
        let to = try day(q.to, "to") ?? today.next
        guard from < to else { throw KesuError.refused("The period ends after it starts.", fields: ["to": ["before from"]]) }
        let lines = try await PerformanceService(services: req.application.kesu, db: req.db)
            .table(level, period: calendar.start(of: from)..<calendar.start(of: to), sort: sort, for: actor)
        return (level, sort, from, to, lines)
    }

    static func value(_ l: PerformanceLine, _ sort: PerformanceService.Sort) -> Double {
        func share(_ n: Int, _ of: Int) -> Double { of == 0 ? 0 : Double(n) / Double(of) }
        switch sort {
        case .complaints: return Double(l.complaints)
        case .lapsed: return Double(l.parcelsLapsed)
        case .fines: return Double(l.finesFen)
        case .firstReply: return share(l.firstRepliesInTime, l.firstReplies)
        case .resolution: return share(l.resolutionsInTime, l.resolutions)
        case .satisfaction: return share(l.satisfied, l.followUps)
        }
    }

    @Sendable func page(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        let (level, sort, from, to, lines) = try await Self.read(req)
        let t = WebSession.language(req).strings
        let top = max(lines.prefix(10).map { Self.value($0, sort) }.max() ?? 0, 1e-9)
        let rows = lines.enumerated().map { i, l in
            Row(code: l.code, name: l.name, firstReply: Self.share(l.firstRepliesInTime, l.firstReplies),
                resolution: Self.share(l.resolutionsInTime, l.resolutions), satisfaction: Self.share(l.satisfied, l.followUps),
                fines: FineMoney.display(l.finesFen), complaints: l.complaints, parcels: l.parcelsOpened,
                inTime: l.parcelsSettledInTime, lapsed: l.parcelsLapsed, finesIssued: l.finesIssued, appealed: l.finesAppealed,
                revoked: l.finesRevoked, bar: i < 10 ? Int((Self.value(l, sort) / top * 300).rounded()) : 0, y: 8 + i * 26)
        }
        let query = "level=\(level.rawValue)&sort=\(sort.rawValue)&from=\(from)&to=\(to)"
        return try await req.view.render("reports/performance", Page(
            chrome: Pages.chrome(req, title: t["performance"] ?? "", actor: actor),
            levels: PerformanceLevel.allCases.map { Choice(value: $0.rawValue, label: t["perf_level." + $0.rawValue] ?? $0.rawValue,
                                                           selected: $0 == level) },
            sorts: PerformanceService.Sort.allCases.map { Choice(value: $0.rawValue, label: t["perf_sort." + $0.rawValue] ?? $0.rawValue,
                                                                 selected: $0 == sort) },
            from: from.description, to: to.description, query: query, sortLabel: t["perf_sort." + sort.rawValue] ?? "",
            rows: rows, chartHeight: 16 + min(rows.count, 10) * 26))
    }

    @Sendable func csv(req: Request) async throws -> Response {
        let (_, _, from, to, lines) = try await Self.read(req)
        let t = WebSession.language(req).strings
        let headers = ["code", "name", "complaints", "parcels", "parcels_in_time", "parcels_lapsed", "fines", "fines_appealed",
                       "fines_revoked", "fines_amount", "first_reply", "resolution", "satisfaction"].map { t["perf_col." + $0] ?? $0 }
        var text = "\u{FEFF}" + headers.joined(separator: ",") + "\r\n"
        for l in lines {
            text += [l.code, l.name, String(l.complaints), String(l.parcelsOpened), String(l.parcelsSettledInTime),
                     String(l.parcelsLapsed), String(l.finesIssued), String(l.finesAppealed), String(l.finesRevoked),
                     FineMoney.yuan(l.finesFen), Self.share(l.firstRepliesInTime, l.firstReplies),
                     Self.share(l.resolutionsInTime, l.resolutions), Self.share(l.satisfied, l.followUps)]
                .map(FineStatements.cell).joined(separator: ",") + "\r\n"
        }
        var headersOut = HTTPHeaders()
        headersOut.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        headersOut.replaceOrAdd(name: "Content-Disposition", value: "attachment; filename=\"performance-\(from)-\(to).csv\"")
        headersOut.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return Response(status: .ok, headers: headersOut, body: .init(string: text))
    }
}
