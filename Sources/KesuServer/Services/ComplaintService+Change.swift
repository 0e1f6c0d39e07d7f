import Fluent
import Foundation
import KesuCore
import KesuStore

extension ComplaintService {
    /// The most complaints one bulk change may touch.
    package static let bulkLimit = 200

    /// Changes the assignee, outlet, category or priority, each change on the timeline.
    package func change(_ number: String, _ change: ComplaintChange, by actor: Actor) async throws -> ComplaintModel {
        let id = try await self.change([number], change, by: actor)[0]
        return try await load(id: id)
    }

    /// Makes the same change to several complaints in one transaction: all of them change, or — when any is unknown,
    /// not the actor's to work, or refused — none does. Returns their ids in the order given (repeats dropped).
    package func change(_ numbers: [String], _ change: ComplaintChange, by actor: Actor) async throws -> [UUID] {
        let complaints = try await workable(numbers, by: actor)
        let resolved = try await resolve(change, for: complaints, by: actor)
        let ids = try complaints.map { try $0.requireID() }
        let rootPath = try await OrgStore.rootPath(on: db)
        let settings = try await services.clockSettings(on: db)
        try await services.writer.write(on: db) { tx in
            let current = try await ComplaintModel.query(on: tx).filter(\.$id ~~ ids)
                .with(\.$assignee).with(\.$outlet).all()
            guard current.count == ids.count else { throw KesuError.notFound("A complaint was removed meanwhile.") }
            let now = self.services.now()
            for complaint in current {
                try await self.apply(change, resolved, to: complaint, rootPath: rootPath, settings: settings, by: actor,
                                     at: now, on: tx)
            }
        }
        return ids
    }

    /// The complaints `numbers` name, each one the actor's to work — or an error naming the first that is not.
    /// Repeats are dropped; at most `bulkLimit`.
    func workable(_ numbers: [String], by actor: Actor) async throws -> [ComplaintModel] {
        try actor.require(.workComplaints)
        var wanted: [String] = []
        for given in numbers {
            guard let parsed = ComplaintNumber(given) else { throw KesuError.notFound("No complaint \(given.prefix(40)).") }
            if !wanted.contains(parsed.rawValue) { wanted.append(parsed.rawValue) }
        }
        guard !wanted.isEmpty else { throw KesuError.invalid("Choose at least one complaint.", fields: ["numbers": ["empty"]]) }
        guard wanted.count <= Self.bulkLimit else {
            throw KesuError.invalid("At most \(Self.bulkLimit) complaints at once.", fields: ["numbers": ["too many"]])
        }
        let found = try await ComplaintModel.query(on: db).filter(\.$number ~~ wanted).all()
        var complaints: [ComplaintModel] = []
        for number in wanted {
            guard let complaint = found.first(where: { $0.number == number }) else {
                throw KesuError.notFound("No complaint \(number).")
            }
            try actor.require(.workComplaints, on: try await subject(complaint, for: actor))
            complaints.append(complaint)
        }
        return complaints
    }

    /// Moves several complaints to the same status in one transaction: all of them, or — when any may not make
    /// the move — none. Closing needs each complaint's own summary and is not done in bulk.
    package func transition(_ numbers: [String], to status: ComplaintStatus, by actor: Actor) async throws -> [UUID] {
        guard status != .closed else {
            throw KesuError.refused("Close complaints one by one, each with its summary and root cause.",
                                    fields: ["to": ["closing is not a bulk move"]])
        }
        let ids = try await workable(numbers, by: actor).map { try $0.requireID() }
        let settings = try await services.clockSettings(on: db)
        try await services.writer.write(on: db) { tx in
            for id in ids {
                try await self.move(id, TransitionRequest(to: status), settings: settings, by: actor, on: tx)
            }
        }
        return ids
    }

    /// Adds the same internal note to several complaints in one transaction.
    package func addNote(_ numbers: [String], body: String, by actor: Actor) async throws -> [UUID] {
        guard let text = try Self.checkNote(body, required: true) else { throw KesuError.refused("A note needs text.") }
        let ids = try await workable(numbers, by: actor).map { try $0.requireID() }
        let now = services.now()
        try await services.writer.write(on: db) { tx in
            try await ComplaintStore.append(ids.map { self.event($0, actor, "note", visible: false, note: text, at: now) },
                                            on: tx)
            try await ComplaintModel.query(on: tx).filter(\.$id ~~ ids).set(\.$updatedAt, to: now).update()
        }
        return ids
    }

    /// The first reply or move on an unassigned complaint by someone who handles complaints makes it theirs
    /// (said on the timeline); nil when it already has a handler or the actor is not one.
    func claim(_ complaint: ComplaintModel, by actor: Actor, at now: Date) throws -> ComplaintEventModel? {
        guard complaint.$assignee.id == nil, actor.standsFor == nil,
              [Role.agent, .supervisor, .claims, .quality].contains(actor.role) else { return nil }
        complaint.$assignee.id = actor.userID
        return event(try complaint.requireID(), actor, "assigned", visible: false,
                     after: ["assignee": actor.username, "why": "first_action"], at: now)
    }

    /// What a change names, looked up once: the assignee, the outlet; and the sub-category checked against each
    /// category it will sit under.
    private func resolve(_ change: ComplaintChange, for complaints: [ComplaintModel], by actor: Actor) async throws
        -> (assigneeID: UUID?, outlet: (id: UUID?, path: String)?)
    {
        var assigneeID: UUID?
        if let name = change.assignee, !name.isEmpty {
            guard let user = try await UserModel.query(on: db).filter(\.$username == name).first(), user.active
            else { throw KesuError.refused("No active user \(name.prefix(40)).", fields: ["assignee": ["unknown user"]]) }
            if user.id != actor.userID { try actor.require(.assignComplaints) }
            assigneeID = try user.requireID()
        } else if change.assignee != nil {
            try actor.require(.assignComplaints)
        }
        var outlet: (id: UUID?, path: String)?
        if let code = change.outlet {
            try actor.require(.assignComplaints)
            if !code.isEmpty {
                guard let unit = try await OrgUnitModel.query(on: db).filter(\.$code == code).first(),
                      unit.kind == UnitKind.outlet.rawValue || unit.kind == UnitKind.transferCentre.rawValue
                else { throw KesuError.refused("No outlet \(code.prefix(40)).", fields: ["outlet": ["unknown outlet"]]) }
                outlet = (unit.id, unit.path)
            }
        }
        if let code = change.subcategory, !code.isEmpty {
            let categories = Set(complaints.map { change.category?.rawValue ?? $0.category })
            for category in categories { try await SubcategoryStore.check(code, under: category, on: db) }
        }
        return (assigneeID, outlet)
    }

    /// One complaint's part of a change, inside the transaction: the fields, the timeline entries, and the running
    /// clocks held to the policy of a new priority or category.
    private func apply(_ change: ComplaintChange, _ resolved: (assigneeID: UUID?, outlet: (id: UUID?, path: String)?),
                       to current: ComplaintModel, rootPath: String, settings: ClockSettings, by actor: Actor,
                       at now: Date, on tx: any Database) async throws {
        let id = try current.requireID()
        var events: [ComplaintEventModel] = []
        if let name = change.assignee, name != (current.assignee?.username ?? "") {
            events.append(event(id, actor, "assigned", visible: false, before: ["assignee": current.assignee?.username ?? ""],
                                after: ["assignee": name], at: now))
            current.$assignee.id = resolved.assigneeID
        }
        if let code = change.outlet, code != (current.outlet?.code ?? "") {
            events.append(event(id, actor, "routed", visible: false, before: ["outlet": current.outlet?.code ?? ""],
                                after: ["outlet": code], at: now))
            current.$outlet.id = resolved.outlet?.id
            current.scopePath = resolved.outlet?.path ?? rootPath
        }
        if let category = change.category {
            events += try await settleTriage(current, chosen: category, subcategory: change.subcategory, actor: actor,
                                             at: now, on: tx)
        }
        let oldCategory = current.category
        if let category = change.category, category.rawValue != current.category {
            events.append(event(id, actor, "category_changed", visible: false, before: ["category": current.category ?? ""],
                                after: ["category": category.rawValue], at: now))
            current.category = category.rawValue
        }
        // A new category drops a sub-category of the old one unless a new one is given.
        let subcategory = change.subcategory ?? (change.category == nil || change.category?.rawValue == oldCategory ? nil : "")
        if let code = subcategory, code != (current.subcategory ?? "") {
            events.append(event(id, actor, "subcategory_changed", visible: false,
                                before: ["subcategory": current.subcategory ?? ""], after: ["subcategory": code], at: now))
            current.subcategory = code.isEmpty ? nil : code
        }
        if let priority = change.priority, priority.rawValue != current.priority {
            events.append(event(id, actor, "priority_changed", visible: false, before: ["priority": current.priority],
                                after: ["priority": priority.rawValue], at: now))
            current.priority = priority.rawValue
        }
        guard !events.isEmpty else { return }
        if events.contains(where: { $0.kind == "priority_changed" || $0.kind == "category_changed" }) {
            let rule = settings.rule(for: current)
            var clocks = try await ClockStore.clocks(of: id, forUpdate: true, on: tx)
            let changed = ClockBook.retime(&clocks, to: rule.policy, calendar: settings.calendar)
            if !changed.isEmpty {
                for i in changed { try await ClockStore.update(clocks[i], on: tx) }
                ClockBook.setDue(current, from: clocks)
                let format = { (date: Date) in ClockScheduler.stamp(date, self.services.config.timeZone) }
                events.append(event(
                    id, actor, "clocks_retimed", visible: false, note: "按新的时限规则重新计时",
                    after: Dictionary(changed.map { (clocks[$0].clock.kind.rawValue, format(clocks[$0].clock.dueAt)) },
                                      uniquingKeysWith: { a, _ in a }), at: now))
            }
        }
        current.updatedAt = now
        try await current.update(on: tx)
        try await ComplaintStore.append(events, on: tx)
    }
}
