import FluentKit
import Foundation
import KesuCore
import SQLKit

/// One unit's line of a monthly statement (月度考核对账单): the fines issued on it that month and what became of them,
/// the rewards its problem parcels earned, and the net. Money in fen.
package struct StatementLine: Sendable, Equatable {
    package var unitID: UUID
    package var unitCode = ""
    package var unitName = ""
    package var unitKind = ""
    package var issued = 0
    package var issuedFen = 0
    package var appealed = 0
    package var reduced = 0
    /// How much the reductions took off.
    package var reducedFen = 0
    package var revoked = 0
    package var revokedFen = 0
    /// Final, not suspended: owed.
    package var collectedFen = 0
    /// Not final yet, or suspended.
    package var pendingFen = 0
    package var rewarded = 0
    package var rewardFen = 0

    package init(unitID: UUID) { self.unitID = unitID }

    package var netFen: Int { rewardFen - collectedFen }

    /// The sum of several lines (a statement's total).
    package static func total(_ lines: [StatementLine]) -> StatementLine {
        var t = StatementLine(unitID: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
        for l in lines {
            t.issued += l.issued
            t.issuedFen += l.issuedFen
            t.appealed += l.appealed
            t.reduced += l.reduced
            t.reducedFen += l.reducedFen
            t.revoked += l.revoked
            t.revokedFen += l.revokedFen
            t.collectedFen += l.collectedFen
            t.pendingFen += l.pendingFen
            t.rewarded += l.rewarded
            t.rewardFen += l.rewardFen
        }
        return t
    }
}

package enum FineStatementStore {
    /// The statement of every unit under `path` (an outlet and its couriers, a region's outlets…) for the fines issued
    /// and the problem parcels settled in `month`, each unit that had any, in code order — two aggregate queries.
    package static func lines(under path: String, month: Range<Date>, rewardFen: Int, on db: any Database) async throws
        -> [StatementLine]
    {
        let like = path + "%"
        var lines: [UUID: StatementLine] = [:]
        for row in try await db.sql.raw("""
            SELECT f.unit_id, COUNT(*) AS issued, CAST(SUM(f.original_fen) AS BIGINT) AS issued_fen,
                CAST(SUM(CASE WHEN f.appealed_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS appealed,
                CAST(SUM(CASE WHEN f.due_fen > 0 AND f.due_fen < f.original_fen THEN 1 ELSE 0 END) AS BIGINT) AS reduced,
                CAST(SUM(CASE WHEN f.due_fen > 0 AND f.due_fen < f.original_fen THEN f.original_fen - f.due_fen ELSE 0 END) AS BIGINT) AS reduced_fen,
                CAST(SUM(CASE WHEN f.due_fen = 0 THEN 1 ELSE 0 END) AS BIGINT) AS revoked,
                CAST(SUM(CASE WHEN f.due_fen = 0 THEN f.original_fen ELSE 0 END) AS BIGINT) AS revoked_fen,
                CAST(SUM(CASE WHEN f.status = 'final' AND f.suspended = \(bind: false) THEN f.due_fen ELSE 0 END) AS BIGINT) AS collected_fen,
                CAST(SUM(CASE WHEN f.status <> 'final' OR f.suspended = \(bind: true) THEN f.due_fen ELSE 0 END) AS BIGINT) AS pending_fen
            FROM fines f
            WHERE f.owner_path LIKE \(bind: like) AND f.issued_at >= \(bind: month.lowerBound) AND f.issued_at < \(bind: month.upperBound)
            GROUP BY f.unit_id
            """).all() {
            let id = try row.decode(column: "unit_id", as: UUID.self)
            var line = StatementLine(unitID: id)
            line.issued = try row.decode(column: "issued", as: Int.self)
            line.issuedFen = try row.decode(column: "issued_fen", as: Int.self)
            line.appealed = try row.decode(column: "appealed", as: Int.self)
            line.reduced = try row.decode(column: "reduced", as: Int.self)
            line.reducedFen = try row.decode(column: "reduced_fen", as: Int.self)
            line.revoked = try row.decode(column: "revoked", as: Int.self)
            line.revokedFen = try row.decode(column: "revoked_fen", as: Int.self)
            line.collectedFen = try row.decode(column: "collected_fen", as: Int.self)
            line.pendingFen = try row.decode(column: "pending_fen", as: Int.self)
            lines[id] = line
        }
        // 三天以后问题件得到处理的每月进行相应额度奖励: settled after the lapse, not by a complaint, never neglected.
        for row in try await db.sql.raw("""
            SELECT p.courier_id, COUNT(*) AS rewarded FROM problem_parcels p
            WHERE p.courier_id IS NOT NULL AND p.owner_path LIKE \(bind: like)
                AND p.settled_at >= \(bind: month.lowerBound) AND p.settled_at < \(bind: month.upperBound)
                AND p.settled_at >= p.lapse_at AND p.outcome <> 'complaint' AND p.neglected = \(bind: false)
            GROUP BY p.courier_id
            """).all() {
            let id = try row.decode(column: "courier_id", as: UUID.self)
            let count = try row.decode(column: "rewarded", as: Int.self)
            lines[id, default: StatementLine(unitID: id)].rewarded = count
            lines[id, default: StatementLine(unitID: id)].rewardFen = count * rewardFen
        }
        guard !lines.isEmpty else { return [] }
        let ids = SQLList(lines.keys.map { SQLBind($0) })
        for row in try await db.sql.raw("SELECT id, code, name, kind FROM org_units WHERE id IN (\(ids))").all() {
            let id = try row.decode(column: "id", as: UUID.self)
            lines[id]?.unitCode = try row.decode(column: "code", as: String.self)
            lines[id]?.unitName = try row.decode(column: "name", as: String.self)
            lines[id]?.unitKind = try row.decode(column: "kind", as: String.self)
        }
        return lines.values.sorted { $0.unitCode < $1.unitCode }
    }
}
