import Fluent
import Foundation
import KesuCore
import KesuStore

/// 工单列表 as a work list: the built-in views, what a list's query string asks for, and the views people save
/// for themselves or a supervisor shares with a unit.
package struct WorkList: Sendable {
    /// The views every user has, in the side bar's order; `mine` is the default.
    package static let views = ["mine", "team", "unassigned", "urgent", "triage", "open", "closed", "all"]
    /// The built-in views whose counts the side bar shows (closed and all grow without end).
    package static let counted = ["mine", "team", "unassigned", "urgent", "triage", "open"]
    /// The query parameters a view is made of (what a saved view keeps).
    package static let keys = ["view", "sort", "size", "status", "category", "priority", "channel", "outlet", "region",
                               "from", "to", "flag", "q"]
    package static let sizes = [25, 50, 100]
    package static let flags = ["urgent", "repeat", "regulator", "regulator_risk", "media_risk", "legal_risk", "perishable",
                                "time_critical", "high_value", "safety", "suggested", "needs_triage"]

    package var view: String
    package var sort: ComplaintSort
    package var size: Int
    package var search: ComplaintSearch
    /// The parameters as given (known keys only, each at most 100 characters).
    package var params: [String: String]

    /// The list a query string asks `actor` for. Unknown values fall back to the defaults.
    package init(_ given: [String: String], for actor: Actor, timeZone: TimeZone) {
        var params: [String: String] = [:]
        for key in Self.keys {
            if let value = given[key]?.trimmed, !value.isEmpty, value.count <= 100 { params[key] = value }
        }
        self.params = params
        // Words in the search box look through everything the user may see unless a view is chosen.
        view = params["view"].flatMap { Self.views.contains($0) ? $0 : nil } ?? (params["q"] == nil ? "mine" : "all")
        sort = params["sort"].flatMap(ComplaintSort.init(rawValue:)) ?? (view == "closed" ? .newest : .deadline)
        size = params["size"].flatMap(Int.init).flatMap { Self.sizes.contains($0) ? $0 : nil } ?? 50
        var s = ComplaintSearch()
        s.open = true
        switch view {
        case "mine": s.assigneeID = actor.userID
        case "team":
            if actor.unitKind == .outlet { s.outletID = actor.unitID } else { s.teamUnitID = actor.unitID }
        case "unassigned": s.assignee = "none"
        case "urgent": s.priority = .p1
        case "triage": s.flags = ["needs_triage"]
        case "closed": s.open = false
        case "all": s.open = nil
        default: break
        }
        if let status = params["status"].flatMap(ComplaintStatus.init(rawValue:)) {
            s.status = status
            s.open = nil
        }
        s.category = params["category"].flatMap(ComplaintCategory.init(rawValue:))
        s.channel = params["channel"].flatMap(KesuCore.Channel.init(rawValue:))
        if let p = params["priority"].flatMap(Priority.init(rawValue:)) { s.priority = p }
        s.outlet = params["outlet"]
        s.region = params["region"]
        if let flag = params["flag"], Self.flags.contains(flag) { s.flags = [flag] }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        func day(_ key: String) -> Date? {
            guard let text = params[key], let day = LocalDay(text) else { return nil }
            return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))
        }
        s.receivedFrom = day("from")
        s.receivedTo = day("to").map { $0.addingTimeInterval(86_400) }
        s.text = params["q"]
        s.timeZone = timeZone
        s.limit = size
        search = s
    }

    /// The list's query string with `changes` applied (nil removes a key), for links that keep the filters.
    package func query(_ changes: [String: String?] = [:]) -> String {
        var all = params
        for (key, value) in changes { all[key] = value ?? nil }
        var c = URLComponents()
        c.queryItems = Self.keys.compactMap { key in all[key].map { URLQueryItem(name: key, value: $0) } }
            + ["after", "before"].compactMap { key in all[key].map { URLQueryItem(name: key, value: $0) } }
        return c.percentEncodedQuery ?? ""
    }

    /// How many complaints a query string's list holds for `actor` (0 when a filter names nothing).
    package static func count(_ params: [String: String], for actor: Actor, timeZone: TimeZone, on db: any Database)
        async throws -> Int
    {
        let list = WorkList(params, for: actor, timeZone: timeZone)
        return try await list.search.query(for: actor, on: db)?.count(on: db) ?? 0
    }

    /// The parameters of a stored query string.
    package static func params(of query: String) -> [String: String] {
        var c = URLComponents()
        c.percentEncodedQuery = query
        var out: [String: String] = [:]
        for item in c.queryItems ?? [] { if let v = item.value { out[item.name] = v } }
        return out
    }
}

/// Saving, sharing and removing views of the work list.
package struct WorkListService: Sendable {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    /// How many views one user may keep.
    package static let ownLimit = 20

    /// The views `actor` sees: their own, then those shared with their unit.
    package func views(for actor: Actor) async throws -> [SavedViewRow] {
        try await SavedViewStore.list(ownerID: actor.userID, unitID: actor.unitID, on: db)
    }

    /// Saves the list `params` asks for under `name`; `share` publishes it to the actor's unit (supervisors).
    package func save(name: String, params: [String: String], share: Bool, by actor: Actor) async throws
        -> SavedViewRow
    {
        try actor.require(.viewComplaints)
        let name = name.trimmed
        var problems = ValidationProblems()
        if !(1...40).contains(name.count) { problems.add("name", "must be 1 to 40 characters") }
        if share, !actor.may(.assignComplaints) { problems.add("share", "only a supervisor shares a view") }
        try problems.throwIfAny("The view cannot be saved.")
        let list = WorkList(params, for: actor, timeZone: services.config.timeZone)
        let query = list.query()
        let row = SavedViewRow(id: services.ids.next(), ownerID: actor.userID, ownerName: actor.displayName,
                               name: name, query: query, sharedUnitID: share ? actor.unitID : nil,
                               createdAt: services.now())
        try await services.writer.write(on: db) { tx in
            guard try await SavedViewStore.count(ownerID: actor.userID, on: tx) < Self.ownLimit else {
                throw KesuError.refused("Keep at most \(Self.ownLimit) views; remove one first.",
                                        fields: ["name": ["too many views"]])
            }
            try await SavedViewStore.insert(row, on: tx)
        }
        return row
    }

    /// Removes a view: its owner may, and so may a supervisor of the unit it is shared with.
    /// Whether `actor` may remove `view`: its owner, or a supervisor of the unit it is shared with.
    package static func mayRemove(_ view: SavedViewRow, by actor: Actor) -> Bool {
        view.ownerID == actor.userID || (view.sharedUnitID == actor.unitID && actor.may(.assignComplaints))
    }

    package func remove(_ id: UUID, by actor: Actor) async throws {
        guard let view = try await SavedViewStore.find(id, on: db) else { throw KesuError.notFound("No such view.") }
        guard Self.mayRemove(view, by: actor) else { throw KesuError(.forbidden, "Only its owner removes a view.") }
        try await services.writer.write(on: db) { try await SavedViewStore.delete(id, on: $0) }
    }
}
