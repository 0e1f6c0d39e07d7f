import FluentKit
import Foundation
import KesuCore
import SQLKit

/// What a clock runs for: a complaint, or any other subject (a problem parcel, a fine's appeal window…) by kind and id.
package struct ClockSubject: Sendable, Hashable {
    package var kind: String
    package var id: UUID
    package init(kind: String, id: UUID) {
        self.kind = kind
        self.id = id
    }
    package static func complaint(_ id: UUID) -> ClockSubject { ClockSubject(kind: "complaint", id: id) }
}

/// A clock as stored: the domain clock with its row id and subject, what it does when it fires, and where its
/// settings came from. A clock whose subject belongs to a complaint carries the complaint too: it fires onto the
/// complaint's timeline; any other fires into the work queue for its subject's feature.
package struct StoredClock: Sendable {
    package var id: UUID
    package var subject: ClockSubject
    package var complaintID: UUID?
    package var clock: ComplaintClock
    package var warnActions: Set<EscalationAction>
    package var breachActions: Set<EscalationAction>
    package var policyID: String?
    /// What was promised, for promise clocks.
    package var note: String?

    /// A clock of a complaint.
    package init(id: UUID, complaintID: UUID, clock: ComplaintClock, warnActions: Set<EscalationAction>,
                 breachActions: Set<EscalationAction>, policyID: String?, note: String? = nil) {
        self.init(id: id, subject: .complaint(complaintID), complaintID: complaintID, clock: clock,
                  warnActions: warnActions, breachActions: breachActions, policyID: policyID, note: note)
    }

    package init(id: UUID, subject: ClockSubject, complaintID: UUID?, clock: ComplaintClock,
                 warnActions: Set<EscalationAction>, breachActions: Set<EscalationAction>, policyID: String?,
                 note: String? = nil) {
        self.id = id
        self.subject = subject
        self.complaintID = complaintID
        self.clock = clock
        self.warnActions = warnActions
        self.breachActions = breachActions
        self.policyID = policyID
        self.note = note
    }
}

/// Reads and writes clocks with plain SQL (one statement per batch, no reflective models on the hot paths).
package enum ClockStore {
    static let columns = [
        "id", "subject_kind", "subject_id", "complaint_id", "kind", "started_at", "target_seconds", "business_time", "warn_fraction",
        "pause_statuses", "warn_actions", "breach_actions", "due_at", "warn_at", "paused_at", "paused_seconds",
        "warned_at", "breached_at", "met_at", "next_fire_at", "policy_id", "note",
    ]

    static func csv<T: RawRepresentable>(_ set: Set<T>) -> String where T.RawValue == String {
        set.map(\.rawValue).sorted().joined(separator: ",")
    }

    static func parse<T: RawRepresentable>(_ text: String, as: T.Type) -> Set<T> where T.RawValue == String {
        Set(text.split(separator: ",").compactMap { T(rawValue: String($0)) })
    }

    static func values(_ s: StoredClock) -> [any Encodable & Sendable] {
        let c = s.clock
        return [s.id, s.subject.kind, s.subject.id, s.complaintID, c.kind.rawValue, c.startedAt, c.target, c.businessTime, c.warnFraction,
                csv(c.pauseStatuses), csv(s.warnActions), csv(s.breachActions), c.dueAt, c.warnAt, c.pausedAt,
                c.pausedFor, c.warnedAt, c.breachedAt, c.metAt, c.nextFireAt, s.policyID, s.note]
    }

    /// Inserts new clocks in one statement.
    package static func insert(_ clocks: [StoredClock], on db: any Database) async throws {
        try await BulkInsert.rows(into: "clocks", columns: columns, clocks.map(values), on: db)
    }

    /// Writes back what changes on a clock: its times and states.
    package static func update(_ s: StoredClock, on db: any Database) async throws {
        let c = s.clock
        try await db.sql.update("clocks")
            .set("due_at", to: SQLBind(c.dueAt)).set("warn_at", to: SQLBind(c.warnAt))
            .set("paused_at", to: SQLBind(c.pausedAt)).set("paused_seconds", to: SQLBind(c.pausedFor))
            .set("warned_at", to: SQLBind(c.warnedAt)).set("breached_at", to: SQLBind(c.breachedAt))
            .set("met_at", to: SQLBind(c.metAt)).set("next_fire_at", to: SQLBind(c.nextFireAt))
            .where("id", .equal, SQLBind(s.id))
            .run()
    }

    static func decode(_ row: any SQLRow) throws -> StoredClock {
        guard let kind = ClockKind(rawValue: try row.decode(column: "kind", as: String.self)) else {
            throw KesuStoreError("unknown clock kind")
        }
        var clock = ComplaintClock(
            kind: kind, startedAt: try row.decode(column: "started_at", as: Date.self),
            target: try row.decode(column: "target_seconds", as: Double.self),
            businessTime: try row.decode(column: "business_time", as: Bool.self),
            warnFraction: try row.decode(column: "warn_fraction", as: Double.self),
            pauseStatuses: parse(try row.decode(column: "pause_statuses", as: String.self), as: ComplaintStatus.self),
            calendar: BusinessCalendar(timeZone: .gmt, weekly: [:]))
        clock.dueAt = try row.decode(column: "due_at", as: Date.self)
        clock.warnAt = try row.decode(column: "warn_at", as: Date.self)
        clock.pausedAt = try row.decode(column: "paused_at", as: Date?.self)
        clock.pausedFor = try row.decode(column: "paused_seconds", as: Double.self)
        clock.warnedAt = try row.decode(column: "warned_at", as: Date?.self)
        clock.breachedAt = try row.decode(column: "breached_at", as: Date?.self)
        clock.metAt = try row.decode(column: "met_at", as: Date?.self)
        return StoredClock(
            id: try row.decode(column: "id", as: UUID.self),
            subject: ClockSubject(kind: try row.decode(column: "subject_kind", as: String.self),
                                  id: try row.decode(column: "subject_id", as: UUID.self)),
            complaintID: try row.decode(column: "complaint_id", as: UUID?.self), clock: clock,
            warnActions: parse(try row.decode(column: "warn_actions", as: String.self), as: EscalationAction.self),
            breachActions: parse(try row.decode(column: "breach_actions", as: String.self), as: EscalationAction.self),
            policyID: try row.decode(column: "policy_id", as: String?.self),
            note: try row.decode(column: "note", as: String?.self))
    }

    /// A complaint's clocks, oldest first; `forUpdate` inside a write transaction holds them until it ends
    /// (``RowLock``), so the scheduler cannot fire a clock this transaction is about to meet or pause.
    package static func clocks(of complaintID: UUID, forUpdate: Bool = false, on db: any Database) async throws
        -> [StoredClock]
    {
        var select = try db.sql.select().columns(columns.map { SQLColumn($0) }).from("clocks")
            .where("complaint_id", .equal, SQLBind(complaintID))
            .orderBy("started_at").orderBy("id")
        if forUpdate { select = select.for(.update) }
        return try await select.all().map(decode)
    }

    /// The clocks of a subject that is not a complaint (a problem parcel's lapse…), oldest first; `forUpdate` holds
    /// them for the transaction, as for a complaint's.
    package static func clocks(of subject: ClockSubject, forUpdate: Bool = false, on db: any Database) async throws
        -> [StoredClock]
    {
        var select = try db.sql.select().columns(columns.map { SQLColumn($0) }).from("clocks")
            .where("subject_kind", .equal, SQLBind(subject.kind)).where("subject_id", .equal, SQLBind(subject.id))
            .orderBy("started_at").orderBy("id")
        if forUpdate { select = select.for(.update) }
        return try await select.all().map(decode)
    }

    /// Records what the scheduler fired at `now` in two statements: clocks that only warned wait next for their
    /// deadline; breached clocks have nothing left to fire.
    package static func recordFired(warned: [UUID], breached: [UUID], at now: Date, on db: any Database) async throws {
        if !warned.isEmpty {
            try await db.sql.update("clocks")
                .set("warned_at", to: SQLBind(now)).set("next_fire_at", to: SQLColumn("due_at"))
                .where("id", .in, SQLBind.group(warned)).run()
        }
        if !breached.isEmpty {
            try await db.sql.update("clocks")
                .set("warned_at", to: SQLFunction("COALESCE", args: SQLColumn("warned_at"), SQLBind(now)))
                .set("breached_at", to: SQLBind(now)).set("next_fire_at", to: SQLLiteral.null)
                .where("id", .in, SQLBind.group(breached)).run()
        }
    }

    /// The complaint a due clock belongs to, as the scheduler needs it.
    package struct DueComplaint: Sendable {
        package var id: UUID
        package var number: String
        package var assigneeID: UUID?
        package var scopePath: String
        package var escalationLevel: Int
    }

    /// Clocks with a warning or deadline at or before `now`, soonest first. Where rows lock (PostgreSQL) the clocks
    /// and their complaints are locked for this transaction and rows another transaction holds are skipped, so
    /// several schedulers share the work without waiting on each other or taking the same clock.
    package static func due(at now: Date, limit: Int, on db: any Database) async throws
        -> [(clock: StoredClock, complaint: DueComplaint)]
    {
        let list = columns.map { "k.\($0)" }.joined(separator: ", ")
        let locking = try RowLock.locksRows(db) ? " FOR UPDATE OF k, c SKIP LOCKED" : ""
        let rows = try await db.sql.raw("""
            SELECT \(unsafeRaw: list), c.number AS c_number, c.assignee_id AS c_assignee, c.scope_path AS c_scope,
                c.escalation_level AS c_level
            FROM clocks k JOIN complaints c ON c.id = k.complaint_id
            WHERE k.next_fire_at IS NOT NULL AND k.next_fire_at <= \(bind: now)
            ORDER BY k.next_fire_at LIMIT \(bind: limit)\(unsafeRaw: locking)
            """).all()
        return try rows.map { row in
            let clock = try decode(row)
            return (clock, DueComplaint(
                id: try row.decode(column: "complaint_id", as: UUID.self), number: try row.decode(column: "c_number", as: String.self),
                assigneeID: try row.decode(column: "c_assignee", as: UUID?.self),
                scopePath: try row.decode(column: "c_scope", as: String.self),
                escalationLevel: try row.decode(column: "c_level", as: Int.self)))
        }
    }

    /// Due clocks of subjects that belong to no complaint, claimed the same way.
    package static func dueElsewhere(at now: Date, limit: Int, on db: any Database) async throws -> [StoredClock] {
        let locking = try RowLock.locksRows(db) ? " FOR UPDATE SKIP LOCKED" : ""
        return try await db.sql.raw("""
            SELECT \(unsafeRaw: columns.joined(separator: ", ")) FROM clocks
            WHERE next_fire_at IS NOT NULL AND next_fire_at <= \(bind: now) AND complaint_id IS NULL
            ORDER BY next_fire_at LIMIT \(bind: limit)\(unsafeRaw: locking)
            """).all().map(decode)
    }

    /// Sets the complaint's nearest deadline.
    package static func setDue(complaintID: UUID, nearest: ComplaintClock?, on db: any Database) async throws {
        try await db.sql.update("complaints")
            .set("due_at", to: SQLBind(nearest?.dueAt)).set("due_warn_at", to: SQLBind(nearest?.warnAt))
            .set("due_kind", to: SQLBind(nearest?.kind.rawValue))
            .where("id", .equal, SQLBind(complaintID))
            .run()
    }
}

extension ClockStore {
    /// A clock with the outlet of its complaint, for reports.
    package struct ReportedClock: Sendable {
        package var outletCode: String?
        package var outletName: String?
        package var clock: ComplaintClock
    }

    /// The first-reply, resolution and regulator clocks started in [from, to) on complaints within `scope`.
    package static func forReport(from: Date, to: Date, within scope: VisibilityScope, on db: any Database)
        async throws -> [ReportedClock]
    {
        let sql: SQLQueryString = """
            SELECT k.kind, k.started_at, k.due_at, k.met_at, k.breached_at, o.code AS o_code, o.name AS o_name
            FROM clocks k JOIN complaints c ON c.id = k.complaint_id
            LEFT JOIN org_units o ON o.id = c.outlet_id
            WHERE k.kind IN ('first_reply', 'resolution', 'regulator')
              AND k.started_at >= \(bind: from) AND k.started_at < \(bind: to)
              AND \(scope.condition(owner: "c.scope_path", complaint: "c.id"))
            """
        return try await db.sql.raw(sql).all().compactMap { row in
            guard let kind = ClockKind(rawValue: try row.decode(column: "kind", as: String.self)) else { return nil }
            var clock = ComplaintClock(kind: kind, startedAt: try row.decode(column: "started_at", as: Date.self),
                                       target: 0, businessTime: false, warnFraction: 0.8, pauseStatuses: [],
                                       calendar: BusinessCalendar(timeZone: .gmt, weekly: [:]))
            clock.dueAt = try row.decode(column: "due_at", as: Date.self)
            clock.metAt = try row.decode(column: "met_at", as: Date?.self)
            clock.breachedAt = try row.decode(column: "breached_at", as: Date?.self)
            return ReportedClock(outletCode: try row.decode(column: "o_code", as: String?.self),
                                 outletName: try row.decode(column: "o_name", as: String?.self), clock: clock)
        }
    }
}
