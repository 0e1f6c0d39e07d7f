import Fluent
import Foundation
import KesuCore
import KesuStore
import LeafKit
import Vapor

/// 工单列表 as a work list: views with counts, filters, sortable columns, paging both ways, saved and shared
/// views, and bulk actions on what is ticked.
struct WorkListPageController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get { req in req.redirect(to: "/complaints") }
        routes.get("complaints", use: queue)
        routes.get("complaints", "counts", use: counts)
        routes.post("complaints", "bulk", use: bulk)
        routes.post("complaints", "views", use: saveView)
        routes.post("complaints", "views", ":id", "delete", use: removeView)
    }

    /// A count as the list shows it: exact up to the cap, then "1000+".
    static func shown(_ count: Int) -> String {
        count > ComplaintListQuery.countCap ? "\(ComplaintListQuery.countCap)+" : String(count)
    }

    static func params(_ req: Request) -> [String: String] {
        var out: [String: String] = [:]
        for key in WorkList.keys + ["after", "before", "saved"] {
            if let value = req.query[String.self, at: key] { out[key] = value }
        }
        return out
    }

    @Sendable func queue(req: Request) async throws -> Response {
        let actor = try RequestContext.requireActor()
        try actor.require(.viewComplaints)
        let language = WebSession.language(req)
        let t = language.strings
        let given = Self.params(req)
        let timeZone = req.application.kesu.config.timeZone
        let list = WorkList(given, for: actor, timeZone: timeZone)
        let q = (given["q"] ?? "").trimmed
        // A complaint number goes straight to its page.
        if let number = ComplaintNumber(q) { return req.redirect(to: "/complaints/\(number.rawValue)") }
        let after = given["after"].flatMap { SortCursor(token: $0, sort: list.sort) }
        let before = after == nil ? given["before"].flatMap { SortCursor(token: $0, sort: list.sort) } : nil
        let db = req.db
        let query = try await list.search.query(for: actor, on: db)
        async let pageRead = query?.page(sort: list.sort, after: after, before: before, on: db)
        async let totalRead = query?.count(on: db)
        async let savedRead = WorkListService(services: req.application.kesu, db: db).views(for: actor)
        async let unitsRead = OrgStore.all(on: db)
        let firstPage = after == nil && before == nil
        async let waitingRead = firstPage
            ? InquiryService(services: req.application.kesu, db: db).waiting(for: actor, limit: 20) : []
        async let handlersRead = actor.may(.assignComplaints) ? ComplaintPagesController.handlers(on: db) : []
        let (page, total, saved, units, waiting, handlers) =
            try await (pageRead, totalRead, savedRead, unitsRead, waitingRead, handlersRead)
        let format = PageFormat(language: language, timeZone: timeZone)
        let now = req.application.kesu.clock.now()
        let rows = (page?.rows ?? []).map { row in
            let status = ComplaintStatus(rawValue: row.status) ?? .received
            let due = format.due(at: row.dueAt, warnAt: row.dueWarnAt, kind: row.dueKind, now: now)
            return QueueRow(
                number: row.number, customer: row.customerName,
                phone: PhoneNumber(row.customerPhone)?.masked ?? "****", waybill: row.waybills.first ?? "—",
                category: row.category.flatMap(ComplaintCategory.init(rawValue:)).map(language.name(of:)) ?? "—",
                priority: row.priority, urgent: row.priority == Priority.p1.rawValue,
                status: language.name(of: status), statusCode: status.rawValue,
                assignee: row.assigneeName ?? (t["none"] ?? ""), outlet: row.outletName ?? "—",
                age: format.duration(now.timeIntervalSince(row.receivedAt)),
                updated: format.duration(now.timeIntervalSince(row.updatedAt)), due: due.state, dueText: due.text,
                flags: row.flags.map { t["flag." + $0] ?? $0 })
        }
        func choices<T: RawRepresentable>(_ all: [T], key: String, label: (T) -> String) -> [Choice]
        where T.RawValue == String {
            [Choice(value: "", label: t["any"] ?? "", selected: (list.params[key] ?? "").isEmpty)]
                + all.map { Choice(value: $0.rawValue, label: label($0), selected: $0.rawValue == list.params[key]) }
        }
        func unitChoices(_ kinds: [UnitKind], key: String) -> [Choice] {
            [Choice(value: "", label: t["any"] ?? "", selected: (list.params[key] ?? "").isEmpty)]
                + units.filter { kinds.map(\.rawValue).contains($0.kind) }.map {
                    Choice(value: $0.code, label: "\($0.name) (\($0.code))", selected: $0.code == list.params[key])
                }
        }
        let here = "/complaints?" + list.query(["after": given["after"], "before": before == nil ? nil : given["before"]])
            + (given["saved"].flatMap(UUID.init(uuidString:)).map { "&saved=" + $0.uuidString } ?? "")
        let views = WorkList.views.map { name in
            SideView(id: name, name: t["view." + name] ?? name, url: "/complaints?view=\(name)",
                     selected: given["saved"] == nil && name == list.view, shared: false,
                     removable: false, counted: WorkList.counted.contains(name))
        }
        let mine = saved.map { view in
            SideView(id: view.id.uuidString, name: view.name,
                     url: "/complaints?" + view.query + "&saved=" + view.id.uuidString,
                     selected: given["saved"] == view.id.uuidString, shared: view.sharedUnitID != nil,
                     removable: WorkListService.mayRemove(view, by: actor),
                     counted: true, owner: view.ownerID == actor.userID ? "" : view.ownerName)
        }
        let sortLinks = [ComplaintSort.deadline, .priority, .age, .updated].map { sort in
            Choice(value: "/complaints?" + list.query(["sort": sort.rawValue, "after": nil, "before": nil]),
                   label: t["sort." + sort.rawValue] ?? sort.rawValue, selected: sort == list.sort)
        }
        // The sortable columns' headers link to their order; the one in use says which way it reads.
        // (Oldest first is the longest age first; most recently changed first, the shortest time since.)
        let order: [ComplaintSort: String] = [.deadline: "ascending", .priority: "ascending", .age: "descending",
                                              .updated: "ascending"]
        let sortHeads = Dictionary(uniqueKeysWithValues: zip(["deadline", "priority", "age", "updated"], sortLinks)
            .map { key, link in (key, SortHead(url: link.value, order: link.selected ? order[list.sort] ?? "other" : "none")) })
        let moves = [ComplaintStatus.triaged, .investigating, .proposing, .onHold].map {
            Choice(value: $0.rawValue, label: language.name(of: $0), selected: false)
        }
        let context = QueuePage(
            chrome: Pages.chrome(req, title: t["queue"] ?? "", actor: actor), view: list.view,
            views: views, savedViews: mine, viewName: given["saved"].flatMap { id in mine.first { $0.id == id }?.name }
                ?? (t["view." + list.view] ?? ""),
            total: total ?? 0, totalText: language.text("total", ["n": Self.shown(total ?? 0)]), sort: list.sort.rawValue,
            sortLinks: sortLinks, sortHeads: sortHeads,
            statuses: choices(ComplaintStatus.allCases, key: "status", label: language.name(of:)),
            categories: choices(ComplaintCategory.allCases, key: "category", label: language.name(of:)),
            priorities: choices(Priority.allCases, key: "priority", label: \.rawValue),
            channels: choices(KesuCore.Channel.allCases, key: "channel", label: language.name(of:)),
            outlets: unitChoices([.outlet, .transferCentre], key: "outlet"), regions: unitChoices([.region], key: "region"),
            flags: [Choice(value: "", label: t["any"] ?? "", selected: list.params["flag"] == nil)]
                + WorkList.flags.map { Choice(value: $0, label: t["flag." + $0] ?? $0, selected: $0 == list.params["flag"]) },
            sizes: WorkList.sizes.map { Choice(value: String($0), label: String($0), selected: $0 == list.size) },
            from: list.params["from"] ?? "", to: list.params["to"] ?? "", q: q, rows: rows,
            inquiries: waiting.map { InvestigationPagesController.item($0, actor: actor, t: t, format: format, now: now) },
            nextURL: page?.next.map { "/complaints?" + list.query(["after": $0.token, "before": nil]) },
            previousURL: page?.previous.map { "/complaints?" + list.query(["before": $0.token, "after": nil]) },
            canAssign: actor.may(.assignComplaints),
            assignees: handlers.map { Choice(value: $0.username, label: $0.displayName, selected: false) },
            moves: moves, canShare: actor.may(.assignComplaints), here: here,
            countsURL: "/complaints/counts?" + list.query(), query: list.query(), done: Pages.flash(req, language: language))
        return try await req.view.render("complaints/queue", context).encodeResponse(for: req)
    }

    /// The light poll behind the side bar and "N new": the count of the list being looked at, of each built-in
    /// view and of each saved view, as JSON.
    @Sendable func counts(req: Request) async throws -> Response {
        let actor = try RequestContext.requireActor()
        try actor.require(.viewComplaints)
        let timeZone = req.application.kesu.config.timeZone
        let db = req.db
        let saved = try await WorkListService(services: req.application.kesu, db: db).views(for: actor)
        // Each count reads at most the cap's worth of index entries; they run side by side.
        let asked = WorkList.counted.map { ($0, ["view": $0]) } + saved.map { ($0.id.uuidString, WorkList.params(of: $0.query)) }
            + [("", Self.params(req))]
        let counted = try await withThrowingTaskGroup(of: (String, Int).self) { group in
            for (key, params) in asked {
                group.addTask { (key, try await WorkList.count(params, for: actor, timeZone: timeZone, on: db)) }
            }
            return try await group.reduce(into: [String: Int]()) { $0[$1.0] = $1.1 }
        }
        let current = counted[""] ?? 0
        let views = counted.filter { !$0.key.isEmpty }
        struct Counts: Content { var current: Int, views: [String: Int], cap: Int }
        let response = try await Counts(current: current, views: views, cap: ComplaintListQuery.countCap)
            .encodeResponse(for: req)
        response.headers.cacheControl = .init(noStore: true)
        return response
    }

    /// Assigns, moves, re-prioritises or notes the ticked complaints, all or none.
    @Sendable func bulk(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable {
            var numbers: [String]?, action: String?, assignee: String?, priority: String?, to: String?, note: String?
            var back: String?
        }
        let form = try req.content.decode(Form.self)
        let service = ComplaintService(services: req.application.kesu, db: req.db)
        let numbers = form.numbers ?? []
        let done: (key: String, count: Int)
        switch form.action ?? "" {
        case "assign":
            guard let assignee = form.assignee, !assignee.isEmpty else {
                throw KesuError.invalid("Choose whom to assign to.", fields: ["assignee": ["missing"]])
            }
            done = ("bulk_assigned", try await service.change(numbers, ComplaintChange(assignee: assignee), by: actor).count)
        case "priority":
            guard let priority = form.priority.flatMap(Priority.init(rawValue:)) else {
                throw KesuError.invalid("Choose a priority.", fields: ["priority": ["missing"]])
            }
            done = ("bulk_priority", try await service.change(numbers, ComplaintChange(priority: priority), by: actor).count)
        case "move":
            guard let to = form.to.flatMap(ComplaintStatus.init(rawValue:)) else {
                throw KesuError.invalid("Choose where to move them.", fields: ["to": ["missing"]])
            }
            done = ("bulk_moved", try await service.transition(numbers, to: to, by: actor).count)
        case "note":
            done = ("bulk_noted", try await service.addNote(numbers, body: form.note ?? "", by: actor).count)
        default:
            throw KesuError.invalid("Choose what to do with the ticked complaints.", fields: ["action": ["missing"]])
        }
        return req.redirect(to: Pages.withFlash(LoginController.safeNext(form.back), done.key, count: done.count))
    }

    @Sendable func saveView(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var name: String?, share: String?, query: String? }
        let form = try req.content.decode(Form.self)
        let saved = try await WorkListService(services: req.application.kesu, db: req.db)
            .save(name: form.name ?? "", params: WorkList.params(of: form.query ?? ""), share: form.share == "1",
                  by: actor)
        return req.redirect(to: Pages.withFlash("/complaints?" + saved.query + "&saved=" + saved.id.uuidString,
                                                "view_saved"))
    }

    @Sendable func removeView(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else {
            throw KesuError.notFound("No such view.")
        }
        try await WorkListService(services: req.application.kesu, db: req.db).remove(id, by: actor)
        return req.redirect(to: Pages.withFlash("/complaints", "view_removed"))
    }
}

/// A row of the work list. Leaf takes it as it is (`leafData`, the same fields) rather than through an encoder: a
/// page has up to 100 of them.
struct QueueRow: Encodable, LeafDataRepresentable {
    var number: String
    var customer: String
    var phone: String
    var waybill: String
    var category: String
    var priority: String
    var urgent: Bool
    var status: String
    var statusCode: String
    var assignee: String
    var outlet: String
    var age: String
    var updated: String
    /// `ok`, `warn` or `late`: how near the nearest deadline is.
    var due: String
    var dueText: String
    var flags: [String]

    var leafData: LeafData {
        .dictionary([
            "number": .string(number), "customer": .string(customer), "phone": .string(phone), "waybill": .string(waybill),
            "category": .string(category), "priority": .string(priority), "urgent": .bool(urgent), "status": .string(status),
            "statusCode": .string(statusCode), "assignee": .string(assignee), "outlet": .string(outlet), "age": .string(age),
            "updated": .string(updated), "due": .string(due), "dueText": .string(dueText), "flags": .array(flags.map(LeafData.string)),
        ])
    }
}

/// A sortable column's header.
struct SortHead: Encodable {
    var url: String
    var order: String
}

/// A view in the work list's side bar, with its count filled in by the light poll.
struct SideView: Encodable {
    var id: String
    var name: String
    var url: String
    var selected: Bool
    var shared: Bool
    var removable: Bool
    var counted: Bool
    var owner = ""
}

struct QueuePage: Encodable {
    var chrome: PageChrome
    var view: String
    var views: [SideView]
    var savedViews: [SideView]
    /// The heading: the view's name.
    var viewName: String
    var total: Int
    var totalText: String
    var sort: String
    var sortLinks: [Choice]
    /// The sortable columns (`deadline`, `priority`, `age`, `updated`): the link to their order and `aria-sort`.
    var sortHeads: [String: SortHead]
    var statuses: [Choice]
    var categories: [Choice]
    var priorities: [Choice]
    var channels: [Choice]
    var outlets: [Choice]
    var regions: [Choice]
    var flags: [Choice]
    var sizes: [Choice]
    var from: String
    var to: String
    var q: String
    var rows: [QueueRow]
    /// Open investigation questions put to the user's unit (first page only).
    var inquiries: [InquiryItem]
    var nextURL: String?
    var previousURL: String?
    var canAssign: Bool
    var assignees: [Choice]
    var moves: [Choice]
    var canShare: Bool
    /// This page's address, to come back to after a bulk action.
    var here: String
    var countsURL: String
    /// The list's query string, which "save this view" keeps.
    var query: String
    /// The flash message of the action just done.
    var done: String?
}
