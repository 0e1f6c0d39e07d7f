import FluentKit
import Foundation
import KesuCore
import SQLKit

/// A problem parcel (问题件) as stored, with the names its lists show.
package struct ProblemParcelRow: Sendable, Equatable {
    package var id: UUID
    package var waybill: String
    package var outletID: UUID
    package var courierID: UUID?
    package var ownerPath: String
    package var reasonCode: String
    package var note: String?
    package var openedByID: UUID?
    package var openedByName: String
    package var openedAt: Date
    package var lastContactAt: Date
    package var followUps: Int
    package var lapseAt: Date
    package var lapsedAt: Date?
    package var settledAt: Date?
    package var outcome: String?
    package var complaintID: UUID?
    package var neglected: Bool
    // Read with the lists, not stored here.
    package var outletName = ""
    package var outletCode = ""
    package var courierName: String?
    package var courierCode: String?
    package var complaintNumber: String?

    package init(id: UUID, waybill: String, outletID: UUID, courierID: UUID?, ownerPath: String, reasonCode: String,
                 note: String?, openedByID: UUID?, openedByName: String, openedAt: Date, lapseAt: Date) {
        self.id = id
        self.waybill = waybill
        self.outletID = outletID
        self.courierID = courierID
        self.ownerPath = ownerPath
        self.reasonCode = reasonCode
        self.note = note
        self.openedByID = openedByID
        self.openedByName = openedByName
        self.openedAt = openedAt
        self.lastContactAt = openedAt
        self.followUps = 0
        self.lapseAt = lapseAt
        self.neglected = false
    }
}

/// One entry of a problem parcel's timeline: its registration, a follow-up, a reminder, its lapse, a complaint, its
/// settlement.
package struct ProblemParcelEntry: Sendable, Equatable {
    package var id: UUID
    package var parcelID: UUID
    package var at: Date
    package var byID: UUID?
    package var byName: String
    package var kind: String
    package var method: String?
    package var note: String?
    package var nextAttemptAt: Date?

    package init(id: UUID, parcelID: UUID, at: Date, byID: UUID?, byName: String, kind: String, method: String? = nil,
                 note: String? = nil, nextAttemptAt: Date? = nil) {
        self.id = id
        self.parcelID = parcelID
        self.at = at
        self.byID = byID
        self.byName = byName
        self.kind = kind
        self.method = method
        self.note = note
        self.nextAttemptAt = nextAttemptAt
    }
}

/// A reason a problem parcel is registered for, from the editable list.
package struct ProblemReasonRow: Sendable, Equatable {
    package var code: String
    package var nameZh: String
    package var nameEn: String
    package var active: Bool
    package var position: Int

    package init(code: String, nameZh: String, nameEn: String, active: Bool, position: Int) {
        self.code = code
        self.nameZh = nameZh
        self.nameEn = nameEn
        self.active = active
        self.position = position
    }
}

/// Which problem parcels a list shows.
package enum ProblemParcelState: String, CaseIterable, Sendable {
    /// Not settled, overdue first, then oldest.
    case open
    /// Not settled and past the lapse.
    case lapsed
    /// Settled, most recently first.
    case settled
}

package enum ProblemParcelStore {
    static let columns = [
        "id", "waybill", "outlet_id", "courier_id", "owner_path", "reason_code", "note", "opened_by_id", "opened_by_name",
        "opened_at", "last_contact_at", "follow_ups", "lapse_at", "lapsed_at", "settled_at", "outcome", "complaint_id",
        "neglected",
    ]

    static func values(_ p: ProblemParcelRow) -> [any Encodable & Sendable] {
        [p.id, p.waybill, p.outletID, p.courierID, p.ownerPath, p.reasonCode, p.note, p.openedByID, p.openedByName,
         p.openedAt, p.lastContactAt, p.followUps, p.lapseAt, p.lapsedAt, p.settledAt, p.outcome, p.complaintID,
         p.neglected]
    }

    package static func insert(_ parcels: [ProblemParcelRow], on db: any Database) async throws {
        try await BulkInsert.rows(into: "problem_parcels", columns: columns, parcels.map(values), on: db)
    }

    package static func insert(_ entries: [ProblemParcelEntry], on db: any Database) async throws {
        try await BulkInsert.rows(
            into: "problem_parcel_entries",
            columns: ["id", "parcel_id", "at", "by_id", "by_name", "kind", "method", "note", "next_attempt_at"],
            entries.map { [$0.id, $0.parcelID, $0.at, $0.byID, $0.byName, $0.kind, $0.method, $0.note, $0.nextAttemptAt] },
            on: db)
    }

    /// Writes back what changes on a parcel: its contacts, lapse, settlement, complaint and neglect.
    package static func update(_ p: ProblemParcelRow, on db: any Database) async throws {
        try await db.sql.raw("""
            UPDATE problem_parcels SET last_contact_at = \(bind: p.lastContactAt), follow_ups = \(bind: p.followUps),
                lapsed_at = \(bind: p.lapsedAt), settled_at = \(bind: p.settledAt), outcome = \(bind: p.outcome),
                complaint_id = \(bind: p.complaintID), neglected = \(bind: p.neglected)
            WHERE id = \(bind: p.id)
            """).run()
    }

    static let select: SQLQueryString = """
        SELECT p.*, o.name AS outlet_name, o.code AS outlet_code, c.name AS courier_name, c.code AS courier_code, k.number AS complaint_number
        FROM problem_parcels p
        JOIN org_units o ON o.id = p.outlet_id
        LEFT JOIN org_units c ON c.id = p.courier_id
        LEFT JOIN complaints k ON k.id = p.complaint_id
        """

    package static func find(_ id: UUID, on db: any Database) async throws -> ProblemParcelRow? {
        try await db.sql.raw("\(select) WHERE p.id = \(bind: id)").first().map(decode)
    }

    /// The open parcels of these waybills (a complaint about one links to it).
    package static func open(waybills: [String], on db: any Database) async throws -> [ProblemParcelRow] {
        guard !waybills.isEmpty else { return [] }
        let list = SQLList(waybills.map { SQLBind($0) })
        return try await db.sql.raw("\(select) WHERE p.waybill IN (\(list)) AND p.settled_at IS NULL ORDER BY p.opened_at")
            .all().map(decode)
    }

    /// The parcel a complaint was linked to — a neglected one first.
    package static func linked(to complaintID: UUID, on db: any Database) async throws -> ProblemParcelRow? {
        try await db.sql.raw("""
            \(select) WHERE p.complaint_id = \(bind: complaintID) ORDER BY CASE WHEN p.neglected THEN 0 ELSE 1 END, p.opened_at
            """).first().map(decode)
    }

    /// A page of the parcels `scope` may see in `state`: open ones overdue first then oldest (by the lapse time,
    /// which is the registration plus the lapse), settled ones most recent first.
    package static func list(_ state: ProblemParcelState, scope: VisibilityScope, now: Date, limit: Int,
                             on db: any Database) async throws -> [ProblemParcelRow] {
        let visible = scope.condition(owner: "p.owner_path", complaint: "p.complaint_id")
        let query: SQLQueryString
        switch state {
        case .open:
            query = "\(select) WHERE p.settled_at IS NULL AND \(visible) ORDER BY p.lapse_at, p.id LIMIT \(bind: limit)"
        case .lapsed:
            query = """
                \(select) WHERE p.settled_at IS NULL AND p.lapse_at <= \(bind: now) AND \(visible)
                ORDER BY p.lapse_at, p.id LIMIT \(bind: limit)
                """
        case .settled:
            query = """
                \(select) WHERE p.settled_at IS NOT NULL AND \(visible) ORDER BY p.settled_at DESC, p.id LIMIT \(bind: limit)
                """
        }
        return try await db.sql.raw(query).all().map(decode)
    }

    /// How many open parcels `scope` sees, and how many of them have lapsed (capped, like the work list's totals).
    package static func openCounts(scope: VisibilityScope, now: Date, on db: any Database) async throws
        -> (open: Int, lapsed: Int)
    {
        let visible = scope.condition(owner: "p.owner_path", complaint: "p.complaint_id")
        let row = try await db.sql.raw("""
            SELECT COUNT(*) AS open, COALESCE(SUM(CASE WHEN lapse_at <= \(bind: now) THEN 1 ELSE 0 END), 0) AS lapsed
            FROM (SELECT p.lapse_at FROM problem_parcels p WHERE p.settled_at IS NULL AND \(visible) LIMIT 1001) AS s
            """).first()
        return (try row?.decode(column: "open", as: Int.self) ?? 0, try row?.decode(column: "lapsed", as: Int.self) ?? 0)
    }

    package static func entries(of parcelID: UUID, on db: any Database) async throws -> [ProblemParcelEntry] {
        try await db.sql.raw("""
            SELECT * FROM problem_parcel_entries WHERE parcel_id = \(bind: parcelID) ORDER BY at, id
            """).all().map { row in
            ProblemParcelEntry(
                id: try row.decode(column: "id", as: UUID.self), parcelID: try row.decode(column: "parcel_id", as: UUID.self),
                at: try row.decode(column: "at", as: Date.self), byID: try row.decode(column: "by_id", as: UUID?.self),
                byName: try row.decode(column: "by_name", as: String.self), kind: try row.decode(column: "kind", as: String.self),
                method: try row.decode(column: "method", as: String?.self), note: try row.decode(column: "note", as: String?.self),
                nextAttemptAt: try row.decode(column: "next_attempt_at", as: Date?.self))
        }
    }

    /// The times of these parcels' follow-ups, oldest first for each (what the rules weigh), in one query.
    package static func followUpTimes(of parcelIDs: [UUID], on db: any Database) async throws -> [UUID: [Date]] {
        guard !parcelIDs.isEmpty else { return [:] }
        let ids = SQLList(parcelIDs.map { SQLBind($0) })
        var times: [UUID: [Date]] = [:]
        for row in try await db.sql.raw("""
            SELECT parcel_id, at FROM problem_parcel_entries WHERE parcel_id IN (\(ids)) AND kind = 'follow_up' ORDER BY at
            """).all() {
            times[try row.decode(column: "parcel_id", as: UUID.self), default: []].append(try row.decode(column: "at", as: Date.self))
        }
        return times
    }

    static func decode(_ row: any SQLRow) throws -> ProblemParcelRow {
        var p = ProblemParcelRow(
            id: try row.decode(column: "id", as: UUID.self), waybill: try row.decode(column: "waybill", as: String.self),
            outletID: try row.decode(column: "outlet_id", as: UUID.self),
            courierID: try row.decode(column: "courier_id", as: UUID?.self),
            ownerPath: try row.decode(column: "owner_path", as: String.self),
            reasonCode: try row.decode(column: "reason_code", as: String.self),
            note: try row.decode(column: "note", as: String?.self),
            openedByID: try row.decode(column: "opened_by_id", as: UUID?.self),
            openedByName: try row.decode(column: "opened_by_name", as: String.self),
            openedAt: try row.decode(column: "opened_at", as: Date.self),
            lapseAt: try row.decode(column: "lapse_at", as: Date.self))
        p.lastContactAt = try row.decode(column: "last_contact_at", as: Date.self)
        p.followUps = try row.decode(column: "follow_ups", as: Int.self)
        p.lapsedAt = try row.decode(column: "lapsed_at", as: Date?.self)
        p.settledAt = try row.decode(column: "settled_at", as: Date?.self)
        p.outcome = try row.decode(column: "outcome", as: String?.self)
        p.complaintID = try row.decode(column: "complaint_id", as: UUID?.self)
        p.neglected = try row.decode(column: "neglected", as: Bool.self)
        p.outletName = (try? row.decode(column: "outlet_name", as: String.self)) ?? ""
        p.outletCode = (try? row.decode(column: "outlet_code", as: String.self)) ?? ""
        p.courierName = try? row.decode(column: "courier_name", as: String?.self)
        p.courierCode = try? row.decode(column: "courier_code", as: String?.self)
        p.complaintNumber = try? row.decode(column: "complaint_number", as: String?.self)
        return p
    }

    // MARK: Reasons and settings

    package static func reasons(on db: any Database) async throws -> [ProblemReasonRow] {
        try await db.sql.raw("SELECT * FROM problem_reasons ORDER BY position, code").all().map { row in
            ProblemReasonRow(code: try row.decode(column: "code", as: String.self),
                             nameZh: try row.decode(column: "name_zh", as: String.self),
                             nameEn: try row.decode(column: "name_en", as: String.self),
                             active: try row.decode(column: "active", as: Bool.self),
                             position: try row.decode(column: "position", as: Int.self))
        }
    }

    package static func saveReason(_ r: ProblemReasonRow, on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM problem_reasons WHERE code = \(bind: r.code)").run()
        try await db.sql.raw("""
            INSERT INTO problem_reasons (code, name_zh, name_en, active, position)
            VALUES (\(bind: r.code), \(bind: r.nameZh), \(bind: r.nameEn), \(bind: r.active), \(bind: r.position))
            """).run()
    }
}

/// Small settings kept as text by key (the problem parcels' lapse, later the appeal windows).
package enum SettingsStore {
    package static func value(_ key: String, on db: any Database) async throws -> String? {
        try await db.sql.raw("SELECT value FROM settings WHERE key = \(bind: key)").first()?
            .decode(column: "value", as: String.self)
    }

    package static func set(_ key: String, to value: String, on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM settings WHERE key = \(bind: key)").run()
        try await db.sql.raw("INSERT INTO settings (key, value) VALUES (\(bind: key), \(bind: value))").run()
    }
}
