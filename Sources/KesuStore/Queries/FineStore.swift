import FluentKit
import Foundation
import KesuCore
import SQLKit

/// A fine (考核单) as stored, with the names its lists show.
package struct FineRow: Sendable, Equatable {
    package var id: UUID
    package var number: String
    package var unitID: UUID
    package var outletID: UUID
    package var ownerPath: String
    package var ruleCode: String
    package var quantity: Int
    package var originalFen: Int
    package var dueFen: Int
    package var reason: String
    package var complaintID: UUID?
    package var parcelID: UUID?
    package var issuedByID: UUID
    package var issuedByName: String
    package var issuerPath: String
    package var issuedAt: Date
    package var status: FineStatus = .open
    package var appealedAt: Date?
    package var decision: FineDecision?
    package var firstReviewerID: UUID?
    package var window: FineWindow? = .appeal
    package var deadline: Date?
    package var suspended = false
    package var overdueAt: Date?
    package var finalAt: Date?
    // Read with the lists, not stored here.
    package var unitName = ""
    package var unitCode = ""
    package var outletName = ""
    package var ruleNameZh = ""
    package var ruleNameEn = ""
    package var complaintNumber: String?
    package var parcelWaybill: String?

    package init(id: UUID, number: String, unitID: UUID, outletID: UUID, ownerPath: String, ruleCode: String, quantity: Int,
                 amountFen: Int, reason: String, complaintID: UUID?, parcelID: UUID?, issuedByID: UUID, issuedByName: String,
                 issuerPath: String, issuedAt: Date, deadline: Date?) {
        self.id = id
        self.number = number
        self.unitID = unitID
        self.outletID = outletID
        self.ownerPath = ownerPath
        self.ruleCode = ruleCode
        self.quantity = quantity
        self.originalFen = amountFen
        self.dueFen = amountFen
        self.reason = reason
        self.complaintID = complaintID
        self.parcelID = parcelID
        self.issuedByID = issuedByID
        self.issuedByName = issuedByName
        self.issuerPath = issuerPath
        self.issuedAt = issuedAt
        self.deadline = deadline
    }
}

/// One entry of a fine's timeline, the same for both sides.
package struct FineEntry: Sendable, Equatable {
    package var id: UUID
    package var fineID: UUID
    package var at: Date
    package var byID: UUID?
    package var byName: String
    package var kind: String
    package var decision: String?
    package var amountFen: Int?
    package var note: String?

    package init(id: UUID, fineID: UUID, at: Date, byID: UUID?, byName: String, kind: String, decision: String? = nil,
                 amountFen: Int? = nil, note: String? = nil) {
        self.id = id
        self.fineID = fineID
        self.at = at
        self.byID = byID
        self.byName = byName
        self.kind = kind
        self.decision = decision
        self.amountFen = amountFen
        self.note = note
    }
}

/// An evidence file of a fine: the issuer's or the appellant's, typed (scan, call record, photo, chat screenshot).
package struct FineEvidenceRow: Sendable, Equatable {
    package var id: UUID
    package var fineID: UUID
    package var entryID: UUID
    package var kind: String
    package var fileName: String
    package var contentType: String
    package var size: Int
    package var uploadedBy: String
    package var createdAt: Date
    package var data: Data?

    package init(id: UUID, fineID: UUID, entryID: UUID, kind: String, fileName: String, contentType: String, size: Int,
                 uploadedBy: String, createdAt: Date, data: Data?) {
        self.id = id
        self.fineID = fineID
        self.entryID = entryID
        self.kind = kind
        self.fileName = fileName
        self.contentType = contentType
        self.size = size
        self.uploadedBy = uploadedBy
        self.createdAt = createdAt
        self.data = data
    }
}

/// A rule of the catalogue with its names and place.
package struct FineRuleRow: Sendable, Equatable {
    package var rule: FineRule
    package var nameZh: String
    package var nameEn: String
    package var position: Int

    package init(rule: FineRule, nameZh: String, nameEn: String, position: Int) {
        self.rule = rule
        self.nameZh = nameZh
        self.nameEn = nameEn
        self.position = position
    }
}

/// Which fines a list shows.
package enum FineListState: String, CaseIterable, Sendable {
    /// Not final: overdue reviews first, then the nearest deadline.
    case waiting
    /// Appealed (first or second review), for the reviewers: overdue first, then the nearest deadline.
    case review
    /// Final, most recently issued first.
    case final
    /// All, most recently issued first.
    case all
}

package enum FineStore {
    static let columns = [
        "id", "number", "unit_id", "outlet_id", "owner_path", "rule_code", "quantity", "original_fen", "due_fen", "reason",
        "complaint_id", "parcel_id", "issued_by_id", "issued_by_name", "issuer_path", "issued_at", "status", "appealed_at",
        "decision", "first_reviewer_id", "running_window", "deadline", "suspended", "overdue_at", "final_at",
    ]

    package static func insert(_ fines: [FineRow], on db: any Database) async throws {
        try await BulkInsert.rows(into: "fines", columns: columns, fines.map { f in
            [f.id, f.number, f.unitID, f.outletID, f.ownerPath, f.ruleCode, f.quantity, f.originalFen, f.dueFen, f.reason,
             f.complaintID, f.parcelID, f.issuedByID, f.issuedByName, f.issuerPath, f.issuedAt, f.status.rawValue, f.appealedAt,
             f.decision?.rawValue, f.firstReviewerID, f.window?.rawValue, f.deadline, f.suspended, f.overdueAt, f.finalAt]
        }, on: db)
    }

    /// Writes back what an appeal, a decision or a window changes.
    package static func update(_ f: FineRow, on db: any Database) async throws {
        try await db.sql.raw("""
            UPDATE fines SET due_fen = \(bind: f.dueFen), status = \(bind: f.status.rawValue), appealed_at = \(bind: f.appealedAt),
                decision = \(bind: f.decision?.rawValue), first_reviewer_id = \(bind: f.firstReviewerID),
                running_window = \(bind: f.window?.rawValue), deadline = \(bind: f.deadline), suspended = \(bind: f.suspended),
                overdue_at = \(bind: f.overdueAt), final_at = \(bind: f.finalAt)
            WHERE id = \(bind: f.id)
            """).run()
    }

    package static func insert(_ entries: [FineEntry], on db: any Database) async throws {
        try await BulkInsert.rows(
            into: "fine_entries", columns: ["id", "fine_id", "at", "by_id", "by_name", "kind", "decision", "amount_fen", "note"],
            entries.map { [$0.id, $0.fineID, $0.at, $0.byID, $0.byName, $0.kind, $0.decision, $0.amountFen, $0.note] }, on: db)
    }

    package static func insert(_ evidence: [FineEvidenceRow], on db: any Database) async throws {
        try await BulkInsert.rows(
            into: "fine_evidence",
            columns: ["id", "fine_id", "entry_id", "kind", "file_name", "content_type", "size", "data", "uploaded_by", "created_at"],
            evidence.map { [$0.id, $0.fineID, $0.entryID, $0.kind, $0.fileName, $0.contentType, $0.size, $0.data ?? Data(),
                            $0.uploadedBy, $0.createdAt] }, on: db)
    }

    static let select: SQLQueryString = """
        SELECT f.*, u.name AS unit_name, u.code AS unit_code, o.name AS outlet_name, r.name_zh AS rule_name_zh,
            r.name_en AS rule_name_en, k.number AS complaint_number, p.waybill AS parcel_waybill
        FROM fines f
        JOIN org_units u ON u.id = f.unit_id
        JOIN org_units o ON o.id = f.outlet_id
        LEFT JOIN fine_rules r ON r.code = f.rule_code
        LEFT JOIN complaints k ON k.id = f.complaint_id
        LEFT JOIN problem_parcels p ON p.id = f.parcel_id
        """

    package static func find(_ id: UUID, on db: any Database) async throws -> FineRow? {
        try await db.sql.raw("\(select) WHERE f.id = \(bind: id)").first().map(decode)
    }

    package static func find(number: String, on db: any Database) async throws -> FineRow? {
        try await db.sql.raw("\(select) WHERE f.number = \(bind: number)").first().map(decode)
    }

    /// A page of the fines `scope` may see in `state`, optionally of one month of issue.
    package static func list(_ state: FineListState, scope: VisibilityScope, issued range: Range<Date>? = nil, limit: Int,
                             on db: any Database) async throws -> [FineRow] {
        let visible = scope.condition(owner: "f.owner_path", complaint: "f.complaint_id")
        let within: SQLQueryString = range.map { "AND f.issued_at >= \(bind: $0.lowerBound) AND f.issued_at < \(bind: $0.upperBound)" } ?? ""
        let query: SQLQueryString
        switch state {
        case .waiting:
            query = """
                \(select) WHERE f.status IN ('open', 'appealed', 'decided', 'second_review') AND \(visible) \(within)
                ORDER BY CASE WHEN f.overdue_at IS NULL THEN 1 ELSE 0 END, f.deadline, f.id LIMIT \(bind: limit)
                """
        case .review:
            query = """
                \(select) WHERE f.status IN ('appealed', 'second_review') AND \(visible) \(within)
                ORDER BY CASE WHEN f.overdue_at IS NULL THEN 1 ELSE 0 END, f.deadline, f.id LIMIT \(bind: limit)
                """
        case .final:
            query = "\(select) WHERE f.status = 'final' AND \(visible) \(within) ORDER BY f.issued_at DESC, f.id LIMIT \(bind: limit)"
        case .all:
            query = "\(select) WHERE \(visible) \(within) ORDER BY f.issued_at DESC, f.id LIMIT \(bind: limit)"
        }
        return try await db.sql.raw(query).all().map(decode)
    }

    package static func entries(of fineID: UUID, on db: any Database) async throws -> [FineEntry] {
        try await db.sql.raw("SELECT * FROM fine_entries WHERE fine_id = \(bind: fineID) ORDER BY at, id").all().map { row in
            FineEntry(id: try row.decode(column: "id", as: UUID.self), fineID: try row.decode(column: "fine_id", as: UUID.self),
                      at: try row.decode(column: "at", as: Date.self), byID: try row.decode(column: "by_id", as: UUID?.self),
                      byName: try row.decode(column: "by_name", as: String.self),
                      kind: try row.decode(column: "kind", as: String.self),
                      decision: try row.decode(column: "decision", as: String?.self),
                      amountFen: try row.decode(column: "amount_fen", as: Int?.self),
                      note: try row.decode(column: "note", as: String?.self))
        }
    }

    /// The evidence of a fine without its bytes, oldest first.
    package static func evidence(of fineID: UUID, on db: any Database) async throws -> [FineEvidenceRow] {
        try await db.sql.raw("""
            SELECT id, fine_id, entry_id, kind, file_name, content_type, size, uploaded_by, created_at
            FROM fine_evidence WHERE fine_id = \(bind: fineID) ORDER BY created_at, id
            """).all().map { try decodeEvidence($0, withData: false) }
    }

    /// One evidence file with its bytes.
    package static func evidenceFile(_ id: UUID, on db: any Database) async throws -> FineEvidenceRow? {
        try await db.sql.raw("SELECT * FROM fine_evidence WHERE id = \(bind: id)").first().map { try decodeEvidence($0, withData: true) }
    }

    static func decodeEvidence(_ row: any SQLRow, withData: Bool) throws -> FineEvidenceRow {
        FineEvidenceRow(
            id: try row.decode(column: "id", as: UUID.self), fineID: try row.decode(column: "fine_id", as: UUID.self),
            entryID: try row.decode(column: "entry_id", as: UUID.self), kind: try row.decode(column: "kind", as: String.self),
            fileName: try row.decode(column: "file_name", as: String.self),
            contentType: try row.decode(column: "content_type", as: String.self),
            size: try row.decode(column: "size", as: Int.self), uploadedBy: try row.decode(column: "uploaded_by", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Date.self),
            data: withData ? try row.decode(column: "data", as: Data.self) : nil)
    }

    static func decode(_ row: any SQLRow) throws -> FineRow {
        var f = FineRow(
            id: try row.decode(column: "id", as: UUID.self), number: try row.decode(column: "number", as: String.self),
            unitID: try row.decode(column: "unit_id", as: UUID.self), outletID: try row.decode(column: "outlet_id", as: UUID.self),
            ownerPath: try row.decode(column: "owner_path", as: String.self),
            ruleCode: try row.decode(column: "rule_code", as: String.self), quantity: try row.decode(column: "quantity", as: Int.self),
            amountFen: try row.decode(column: "original_fen", as: Int.self), reason: try row.decode(column: "reason", as: String.self),
            complaintID: try row.decode(column: "complaint_id", as: UUID?.self),
            parcelID: try row.decode(column: "parcel_id", as: UUID?.self),
            issuedByID: try row.decode(column: "issued_by_id", as: UUID.self),
            issuedByName: try row.decode(column: "issued_by_name", as: String.self),
            issuerPath: try row.decode(column: "issuer_path", as: String.self),
            issuedAt: try row.decode(column: "issued_at", as: Date.self), deadline: try row.decode(column: "deadline", as: Date?.self))
        f.dueFen = try row.decode(column: "due_fen", as: Int.self)
        f.status = FineStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .final
        f.appealedAt = try row.decode(column: "appealed_at", as: Date?.self)
        f.decision = try row.decode(column: "decision", as: String?.self).flatMap(FineDecision.init)
        f.firstReviewerID = try row.decode(column: "first_reviewer_id", as: UUID?.self)
        f.window = try row.decode(column: "running_window", as: String?.self).flatMap(FineWindow.init)
        f.suspended = try row.decode(column: "suspended", as: Bool.self)
        f.overdueAt = try row.decode(column: "overdue_at", as: Date?.self)
        f.finalAt = try row.decode(column: "final_at", as: Date?.self)
        f.unitName = (try? row.decode(column: "unit_name", as: String.self)) ?? ""
        f.unitCode = (try? row.decode(column: "unit_code", as: String.self)) ?? ""
        f.outletName = (try? row.decode(column: "outlet_name", as: String.self)) ?? ""
        f.ruleNameZh = (try? row.decode(column: "rule_name_zh", as: String?.self)) ?? f.ruleCode
        f.ruleNameEn = (try? row.decode(column: "rule_name_en", as: String?.self)) ?? f.ruleCode
        f.complaintNumber = try? row.decode(column: "complaint_number", as: String?.self)
        f.parcelWaybill = try? row.decode(column: "parcel_waybill", as: String?.self)
        return f
    }

    // MARK: The catalogue

    package static func rules(on db: any Database) async throws -> [FineRuleRow] {
        try await db.sql.raw("SELECT * FROM fine_rules ORDER BY position, code").all().map { row in
            FineRuleRow(
                rule: FineRule(code: try row.decode(column: "code", as: String.self),
                               kind: FineRuleKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .fine,
                               amountFen: try row.decode(column: "amount_fen", as: Int?.self),
                               multiplierPercent: try row.decode(column: "multiplier_percent", as: Int?.self),
                               baseCode: try row.decode(column: "base_code", as: String?.self),
                               needsNeglect: try row.decode(column: "needs_neglect", as: Bool.self),
                               active: try row.decode(column: "active", as: Bool.self)),
                nameZh: try row.decode(column: "name_zh", as: String.self),
                nameEn: try row.decode(column: "name_en", as: String.self),
                position: try row.decode(column: "position", as: Int.self))
        }
    }

    package static func saveRule(_ r: FineRuleRow, on db: any Database) async throws {
        try await db.sql.raw("DELETE FROM fine_rules WHERE code = \(bind: r.rule.code)").run()
        try await db.sql.raw("""
            INSERT INTO fine_rules (code, name_zh, name_en, kind, amount_fen, multiplier_percent, base_code, needs_neglect, active, position)
            VALUES (\(bind: r.rule.code), \(bind: r.nameZh), \(bind: r.nameEn), \(bind: r.rule.kind.rawValue), \(bind: r.rule.amountFen),
                \(bind: r.rule.multiplierPercent), \(bind: r.rule.baseCode), \(bind: r.rule.needsNeglect), \(bind: r.rule.active),
                \(bind: r.position))
            """).run()
    }
}
