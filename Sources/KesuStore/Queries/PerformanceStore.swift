import FluentKit
import Foundation
import KesuCore
import SQLKit

/// Whom a performance table (考核看板) has a line for.
package enum PerformanceLevel: String, CaseIterable, Sendable {
    case courier, outlet, region, agent
}

/// One line of the performance table: what happened to one courier, outlet, region or agent in the period.
package struct PerformanceLine: Sendable, Equatable {
    package var key: UUID
    package var code = ""
    package var name = ""
    package var complaints = 0
    package var parcelsOpened = 0, parcelsSettledInTime = 0, parcelsLapsed = 0
    package var finesIssued = 0, finesAppealed = 0, finesRevoked = 0, finesFen = 0
    package var firstReplies = 0, firstRepliesInTime = 0, resolutions = 0, resolutionsInTime = 0
    package var followUps = 0, satisfied = 0

    package init(key: UUID) { self.key = key }

    package mutating func add(_ o: PerformanceLine) {
        complaints += o.complaints
        parcelsOpened += o.parcelsOpened
        parcelsSettledInTime += o.parcelsSettledInTime
        parcelsLapsed += o.parcelsLapsed
        finesIssued += o.finesIssued
        finesAppealed += o.finesAppealed
        finesRevoked += o.finesRevoked
        finesFen += o.finesFen
        firstReplies += o.firstReplies
        firstRepliesInTime += o.firstRepliesInTime
        resolutions += o.resolutions
        resolutionsInTime += o.resolutionsInTime
        followUps += o.followUps
        satisfied += o.satisfied
    }
}

/// The performance table's figures, aggregated in the database — five grouped queries whatever the number of rows:
/// complaints received, problem parcels registered (settled within the lapse, lapsed), fines issued (appealed,
/// revoked, amount owed), first replies and resolutions met in time, follow-ups and the satisfied among them.
package enum PerformanceStore {
    /// The columns each level groups by, for complaints, parcels and fines (nil: the level has none of them).
    static func keys(_ level: PerformanceLevel) -> (complaint: String, parcel: String?, fine: String?) {
        switch level {
        case .courier: ("c.responsible_unit_id", "p.courier_id", "f.unit_id")
        case .outlet, .region: ("c.outlet_id", "p.outlet_id", "f.outlet_id")
        case .agent: ("c.assignee_id", nil, nil)
        }
    }

    package static func lines(_ level: PerformanceLevel, under path: String, period: Range<Date>, now: Date,
                              on db: any Database) async throws -> [UUID: PerformanceLine] {
        let like = path + "%"
        let (from, to) = (period.lowerBound, period.upperBound)
        let k = keys(level)
        var lines: [UUID: PerformanceLine] = [:]
        func each(_ sql: SQLQueryString, _ fill: (inout PerformanceLine, any SQLRow) throws -> Void) async throws {
            for row in try await db.sql.raw(sql).all() {
                guard let key = try row.decode(column: "k", as: UUID?.self) else { continue }
                try fill(&lines[key, default: PerformanceLine(key: key)], row)
            }
        }
        func int(_ row: any SQLRow, _ column: String) throws -> Int { Int(try row.decode(column: column, as: Int64?.self) ?? 0) }
        try await each("""
            SELECT \(unsafeRaw: k.complaint) AS k, COUNT(*) AS n FROM complaints c
            WHERE c.received_at >= \(bind: from) AND c.received_at < \(bind: to) AND c.scope_path LIKE \(bind: like)
            GROUP BY \(unsafeRaw: k.complaint)
            """) { $0.complaints = try int($1, "n") }
        if let parcel = k.parcel {
            try await each("""
                SELECT \(unsafeRaw: parcel) AS k, COUNT(*) AS n,
                    SUM(CASE WHEN p.settled_at IS NOT NULL AND p.settled_at < p.lapse_at THEN 1 ELSE 0 END) AS in_time,
                    SUM(CASE WHEN (p.settled_at IS NULL AND p.lapse_at <= \(bind: now)) OR p.settled_at >= p.lapse_at
                        THEN 1 ELSE 0 END) AS lapsed
                FROM problem_parcels p
                WHERE p.opened_at >= \(bind: from) AND p.opened_at < \(bind: to) AND p.owner_path LIKE \(bind: like)
                GROUP BY \(unsafeRaw: parcel)
                """) {
                $0.parcelsOpened = try int($1, "n")
                $0.parcelsSettledInTime = try int($1, "in_time")
                $0.parcelsLapsed = try int($1, "lapsed")
            }
        }
        if let fine = k.fine {
            try await each("""
                SELECT \(unsafeRaw: fine) AS k, COUNT(*) AS n,
                    SUM(CASE WHEN f.appealed_at IS NOT NULL THEN 1 ELSE 0 END) AS appealed,
                    SUM(CASE WHEN f.due_fen = 0 THEN 1 ELSE 0 END) AS revoked, CAST(SUM(f.due_fen) AS BIGINT) AS fen
                FROM fines f
                WHERE f.issued_at >= \(bind: from) AND f.issued_at < \(bind: to) AND f.owner_path LIKE \(bind: like)
                GROUP BY \(unsafeRaw: fine)
                """) {
                $0.finesIssued = try int($1, "n")
                $0.finesAppealed = try int($1, "appealed")
                $0.finesRevoked = try int($1, "revoked")
                $0.finesFen = try int($1, "fen")
            }
        }
        try await each("""
            SELECT \(unsafeRaw: k.complaint) AS k,
                SUM(CASE WHEN t.kind = 'first_reply' THEN 1 ELSE 0 END) AS replies,
                SUM(CASE WHEN t.kind = 'first_reply' AND t.met_at IS NOT NULL AND t.breached_at IS NULL THEN 1 ELSE 0 END) AS replies_in_time,
                SUM(CASE WHEN t.kind = 'resolution' THEN 1 ELSE 0 END) AS resolutions,
                SUM(CASE WHEN t.kind = 'resolution' AND t.met_at IS NOT NULL AND t.breached_at IS NULL THEN 1 ELSE 0 END) AS resolved_in_time
            FROM clocks t JOIN complaints c ON c.id = t.complaint_id
            WHERE t.kind IN ('first_reply', 'resolution') AND t.started_at >= \(bind: from) AND t.started_at < \(bind: to)
                AND c.scope_path LIKE \(bind: like)
            GROUP BY \(unsafeRaw: k.complaint)
            """) {
            $0.firstReplies = try int($1, "replies")
            $0.firstRepliesInTime = try int($1, "replies_in_time")
            $0.resolutions = try int($1, "resolutions")
            $0.resolutionsInTime = try int($1, "resolved_in_time")
        }
        try await each("""
            SELECT \(unsafeRaw: k.complaint) AS k, COUNT(*) AS n,
                SUM(CASE WHEN u.outcome IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END) AS satisfied
            FROM follow_ups u JOIN complaints c ON c.id = u.complaint_id
            WHERE u.outcome <> 'no_answer' AND u.at >= \(bind: from) AND u.at < \(bind: to) AND c.scope_path LIKE \(bind: like)
            GROUP BY \(unsafeRaw: k.complaint)
            """) {
            $0.followUps = try int($1, "n")
            $0.satisfied = try int($1, "satisfied")
        }
        return lines
    }
}
