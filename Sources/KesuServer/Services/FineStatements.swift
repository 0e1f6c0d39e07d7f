import Fluent
import Foundation
import KesuCore
import KesuStore

/// A monthly statement (月度考核对账单) of a unit: a line per unit under it that had fines or rewards, and the total.
package struct FineStatement: Sendable {
    package var unitCode: String
    package var unitName: String
    /// `YYYY-MM`.
    package var month: String
    package var lines: [StatementLine]
    package var total: StatementLine
    package var rewardFen: Int
}

/// 对账单 — the month's fines issued, appealed, reduced, revoked and collected, the rewards for problem parcels settled
/// after day 3, and the net, per outlet and courier; on a page, over the API, and as CSV for Excel.
package struct FineStatements {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    /// The month `YYYY-MM` in the company's time zone, as a range of instants; refused when it is not one.
    package func month(_ text: String?) throws -> (String, Range<Date>) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = services.config.timeZone
        let now = services.now()
        var year = calendar.component(.year, from: now), month = calendar.component(.month, from: now)
        if let text = text?.trimmed, !text.isEmpty {
            let parts = text.split(separator: "-")
            guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let m = Int(parts[1]),
                  (2000...2100).contains(y), (1...12).contains(m) else {
                throw KesuError.refused("Give the month as YYYY-MM.", fields: ["month": ["not a month"]])
            }
            (year, month) = (y, m)
        }
        guard let start = calendar.date(from: DateComponents(year: year, month: month, day: 1)),
              let end = calendar.date(byAdding: .month, value: 1, to: start) else {
            throw KesuError.refused("Give the month as YYYY-MM.", fields: ["month": ["not a month"]])
        }
        return (String(format: "%04d-%02d", year, month), start..<end)
    }

    /// The statement of `unitCode` (the actor's own unit when nil) for `month`: 403 for a unit outside the actor's.
    package func statement(unit unitCode: String?, month text: String?, for actor: Actor) async throws -> FineStatement {
        try actor.require(.viewFines)
        let (label, range) = try month(text)
        let unit: OrgUnitModel?
        if let code = unitCode?.trimmed, !code.isEmpty {
            unit = try await OrgStore.find(code: code, on: db)
            if unit == nil { throw KesuError.refused("There is no unit with this code.", fields: ["unit": ["unknown"]]) }
        } else {
            unit = try await OrgUnitModel.find(actor.unitID, on: db)
        }
        guard let unit else { throw KesuError.notFound("No such unit.") }
        try actor.require(.viewFines, on: .owned(by: unit.path))
        let reward = try await FineStore.rules(on: db).first { $0.rule.code == "parcel_settled_late" && $0.rule.active }
        let rewardFen = reward?.rule.amountFen ?? 0
        let lines = try await FineStatementStore.lines(under: unit.path, month: range, rewardFen: rewardFen, on: db)
        return FineStatement(unitCode: unit.code, unitName: unit.name, month: label, lines: lines,
                             total: StatementLine.total(lines), rewardFen: rewardFen)
    }

    /// The statement as CSV that Excel opens with Chinese intact: UTF-8 with a byte-order mark, CRLF lines, headers in
    /// the reader's words, money in yuan; a cell that would start a formula is quoted as text.
    package static func csv(_ s: FineStatement, headers: [String], totalLabel: String) -> Data {
        var rows = [headers]
        for line in s.lines + [s.total] {
            let isTotal = line.unitCode.isEmpty
            rows.append([
                s.month, isTotal ? totalLabel : line.unitCode, isTotal ? "" : line.unitName, String(line.issued),
                FineMoney.yuan(line.issuedFen), String(line.appealed), String(line.reduced), FineMoney.yuan(line.reducedFen),
                String(line.revoked), FineMoney.yuan(line.revokedFen), FineMoney.yuan(line.collectedFen),
                FineMoney.yuan(line.pendingFen), String(line.rewarded), FineMoney.yuan(line.rewardFen),
                FineMoney.yuan(line.netFen),
            ])
        }
        var text = "\u{FEFF}"
        for row in rows { text += row.map(cell).joined(separator: ",") + "\r\n" }
        return Data(text.utf8)
    }

    static func cell(_ value: String) -> String {
        var v = value
        if let first = v.first, "=+-@\t\r".contains(first), Double(v) == nil { v = "'" + v }
        guard v.contains(where: { ",\"\r\n".contains($0) }) else { return v }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
