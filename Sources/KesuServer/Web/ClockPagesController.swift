import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// The pages of the clocks: promising a customer a time, the notification list, and the SLA report (page, chart
/// and CSV).
struct ClockPagesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("complaints", ":number", "promise", use: promise)
        routes.get("notifications", use: notifications)
        routes.post("notifications", "read", use: markRead)
        routes.get("reports", "sla", use: report)
        routes.get("reports", "sla.csv", use: reportCSV)
    }

    @Sendable func promise(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var dueAt: String?, note: String? }
        let form = try req.content.decode(Form.self)
        let format = PageFormat(language: WebSession.language(req), timeZone: req.application.kesu.config.timeZone)
        guard let due = form.dueAt.flatMap(format.parseInputTime) else {
            throw KesuError.invalid("The promised time must be a date and time.", fields: ["dueAt": ["malformed"]])
        }
        let number = req.parameters.get("number") ?? ""
        let note = (form.note ?? "").trimmed
        _ = try await SLAService(services: req.application.kesu, db: req.db)
            .promise(number, due: due, note: note.isEmpty ? nil : note, by: actor)
        return req.redirect(to: Pages.withFlash("/complaints/\(number)", "promised"))
    }

    /// A notification with the page it is about: its complaint's, or its problem parcel's.
    struct NoticeRow: Encodable { var at, text: String; var link: String?; var unread: Bool }
    struct NoticesPage: Encodable { var chrome: PageChrome; var items: [NoticeRow] }

    @Sendable func notifications(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        let language = WebSession.language(req)
        let format = PageFormat(language: language, timeZone: req.application.kesu.config.timeZone)
        let (items, _) = try await SLAService(services: req.application.kesu, db: req.db)
            .notifications(for: actor, unreadOnly: false, limit: 100)
        return try await req.view.render("notifications", NoticesPage(
            chrome: Pages.chrome(req, title: language.strings["notifications"] ?? "", actor: actor),
            items: items.map { NoticeRow(at: format.time($0.createdAt), text: NoticeText(language: language, format: format).text(of: $0),
                                         link: $0.complaintNumber.map { "/complaints/" + $0 }
                                             ?? $0.params?["parcel"].flatMap(UUID.init(uuidString:)).map { "/parcels/\($0.uuidString)" }
                                             ?? $0.params?["fine"].flatMap(UUID.init(uuidString:)).map { "/fines/\($0.uuidString)" },
                                         unread: $0.readAt == nil) }))
    }

    @Sendable func markRead(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        _ = try await SLAService(services: req.application.kesu, db: req.db).markRead(nil, for: actor)
        return req.redirect(to: "/notifications")
    }

    // MARK: Report

    struct ReportRow: Encodable {
        var group, name: String
        var complaints: Int
        var firstReplyShare, firstReplyMedian, firstReplyP90: String
        var resolutionShare, resolutionMedian, resolutionP90: String
        var belowGoal: Bool
        var breaches, regulatorOverdue: Int
        /// The resolution share as a bar width out of 300, for the chart.
        var bar: Int
        var y: Int
    }

    struct ReportPage: Encodable {
        var chrome: PageChrome
        var from, to: String
        var perOutlet: Bool
        var rows: [ReportRow]
        var csv: String
        var chartHeight: Int
        var goalX: Int
    }

    /// The period from the query (`from`, `to` as yyyy-MM-dd, `to` exclusive), by default this month so far.
    private func period(_ req: Request) throws -> (from: LocalDay, to: LocalDay, start: Date, end: Date, perOutlet: Bool) {
        struct Query: Decodable { var from: String?, to: String?, group: String? }
        let q = try req.query.decode(Query.self)
        let zone = req.application.kesu.config.timeZone
        let calendar = BusinessCalendar(timeZone: zone, weekly: [:])
        let today = calendar.day(of: req.application.kesu.clock.now())
        let from = try q.from.flatMap { $0.isEmpty ? nil : $0 }.map { text in
            guard let day = LocalDay(text) else {
                throw KesuError.invalid("from must be a date.", fields: ["from": ["malformed"]])
            }
            return day
        } ?? LocalDay(year: today.year, month: today.month, day: 1)
        let to = try q.to.flatMap { $0.isEmpty ? nil : $0 }.map { text in
            guard let day = LocalDay(text) else { throw KesuError.invalid("to must be a date.", fields: ["to": ["malformed"]]) }
            return day
        } ?? today.next
        return (from, to, calendar.start(of: from), calendar.start(of: to), q.group != "none")
    }

    private func lines(_ req: Request) async throws -> (LocalDay, LocalDay, Bool, [SLAService.ReportLine]) {
        let actor = try RequestContext.requireActor()
        let p = try period(req)
        let lines = try await SLAService(services: req.application.kesu, db: req.db)
            .report(from: p.start, to: p.end, perOutlet: p.perOutlet, by: actor)
        return (p.from, p.to, p.perOutlet, lines)
    }

    @Sendable func report(req: Request) async throws -> View {
        let actor = try RequestContext.requireActor()
        let (from, to, perOutlet, lines) = try await lines(req)
        let language = WebSession.language(req)
        let format = PageFormat(language: language, timeZone: req.application.kesu.config.timeZone)
        func share(_ v: Double?) -> String { v.map { String(format: "%.1f%%", $0 * 100) } ?? "—" }
        func time(_ v: TimeInterval?) -> String { v.map(format.duration) ?? "—" }
        let rows = lines.enumerated().map { i, line in
            let f = line.figures
            return ReportRow(
                group: line.group, name: line.name, complaints: f.complaints, firstReplyShare: share(f.firstReplyShare),
                firstReplyMedian: time(f.firstReplyMedian), firstReplyP90: time(f.firstReplyP90),
                resolutionShare: share(f.resolutionShare), resolutionMedian: time(f.resolutionMedian),
                resolutionP90: time(f.resolutionP90), belowGoal: (f.resolutionShare ?? 1) < 0.95,
                breaches: f.breaches, regulatorOverdue: f.regulatorOverdue,
                bar: Int(((f.resolutionShare ?? 0) * 300).rounded()), y: 8 + i * 26)
        }
        let query = "from=\(from)&to=\(to)&group=\(perOutlet ? "outlet" : "none")"
        return try await req.view.render("reports/sla", ReportPage(
            chrome: Pages.chrome(req, title: language.strings["reports"] ?? "", actor: actor),
            from: from.description, to: to.description, perOutlet: perOutlet, rows: rows,
            csv: "/reports/sla.csv?" + query, chartHeight: 16 + rows.count * 26, goalX: 160 + Int(0.95 * 300)))
    }

    @Sendable func reportCSV(req: Request) async throws -> Response {
        let (from, to, _, lines) = try await lines(req)
        func cell(_ text: String) -> String {
            // Quoted, and a leading formula character neutralised, so spreadsheets show text as text.
            let safe = text.first.map { "=+-@".contains($0) } == true ? "'" + text : text
            return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        func number(_ v: Double?, _ scale: Double = 1) -> String { v.map { String(format: "%.1f", $0 * scale) } ?? "" }
        var out = "group,name,complaints,first_reply_met,first_reply_due,first_reply_share_pct,first_reply_median_min,"
            + "first_reply_p90_min,resolution_met,resolution_due,resolution_share_pct,resolution_median_min,"
            + "resolution_p90_min,breaches,regulator_overdue\r\n"
        for line in lines {
            let f = line.figures
            out += [cell(line.group), cell(line.name), String(f.complaints), String(f.firstReplyMet),
                    String(f.firstReplyDue), number(f.firstReplyShare, 100), number(f.firstReplyMedian, 1 / 60),
                    number(f.firstReplyP90, 1 / 60), String(f.resolutionMet), String(f.resolutionDue),
                    number(f.resolutionShare, 100), number(f.resolutionMedian, 1 / 60), number(f.resolutionP90, 1 / 60),
                    String(f.breaches), String(f.regulatorOverdue)].joined(separator: ",") + "\r\n"
        }
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.add(name: .contentDisposition, value: "attachment; filename=\"kesu-sla-\(from)-\(to).csv\"")
        // A byte-order mark, so spreadsheet programs read the Chinese names as UTF-8.
        return Response(status: .ok, headers: headers, body: .init(string: "\u{FEFF}" + out))
    }
}
