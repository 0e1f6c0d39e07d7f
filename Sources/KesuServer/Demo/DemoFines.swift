import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// The demo company's fines (考核单) in every state of the appeal — just issued, appealed, a review out of time, decided
/// with a second review open, in second review, and final (accepted, upheld, reduced, revoked) — this month and last,
/// so the Pudong outlet's monthly statement has something to say.
enum DemoFines {
    enum Stage { case open, appealed, overdue, decided, secondReview, accepted, upheld, reduced, revoked }

    struct Spec {
        var unit: String, rule: String, quantity = 1, hoursAgo: Double, stage: Stage, reason: String
    }

    static let specs: [Spec] = [
        Spec(unit: "SH-PD", rule: "escalated_complaint", hoursAgo: 5, stage: .open, reason: "客户升级投诉至 12305，网点处理不及时"),
        Spec(unit: "SH-PD-C01", rule: "locker_without_consent", quantity: 3, hoursAgo: 60, stage: .open,
             reason: "三件快件未经客户同意放入快递柜"),
        Spec(unit: "SH-PD", rule: "lost_parcel", hoursAgo: 30, stage: .appealed, reason: "快件在网点丢失"),
        Spec(unit: "SH-PD-C02", rule: "complaint_courier", hoursAgo: 120, stage: .overdue, reason: "客户投诉业务员态度差"),
        Spec(unit: "SH-PD", rule: "escalated_complaint", hoursAgo: 60, stage: .decided, reason: "升级投诉"),
        Spec(unit: "SH-PD-C01", rule: "false_problem_report", hoursAgo: 70, stage: .secondReview, reason: "问题件报备与轨迹不符"),
        Spec(unit: "SH-PD-C02", rule: "locker_without_consent", hoursAgo: 200, stage: .accepted, reason: "未经同意放驿站"),
        Spec(unit: "GZ-TH", rule: "lost_parcel", hoursAgo: 300, stage: .upheld, reason: "快件丢失"),
        Spec(unit: "SH-PD", rule: "escalated_complaint", hoursAgo: 24 * 20, stage: .reduced, reason: "升级投诉（客户多次投诉）"),
        Spec(unit: "SH-PD-C01", rule: "complaint_courier", hoursAgo: 24 * 35, stage: .revoked, reason: "客户称未收到快件"),
        Spec(unit: "SH-PD-C02", rule: "lost_parcel", hoursAgo: 24 * 40, stage: .upheld, reason: "快件丢失"),
    ]

    /// A 1×1 PNG: the call log the outlet attaches to its appeals.
    static let callLog = Data(base64Encoded:
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==") ?? Data()

    static func seed(_ app: Application) async throws {
        let db = app.db
        let ids = app.kesu.ids
        let now = app.kesu.now().roundedToMillis
        let units = Dictionary(uniqueKeysWithValues: try await OrgStore.all(on: db).map { ($0.code, $0) })
        let users = Dictionary(uniqueKeysWithValues: try await UserModel.query(on: db).all().map { ($0.username, $0) })
        let rules = try await FineStore.rules(on: db).map(\.rule)
        guard let issuer = users["quality"], let issuerID = issuer.id, let reviewer = users["quality2"], let reviewerID = reviewer.id,
              let hq = units["HQ"] else { return }
        let w = FineWindows.standard
        var fines: [FineRow] = [], entries: [FineEntry] = [], evidence: [FineEvidenceRow] = [], clocks: [StoredClock] = []
        for (i, spec) in specs.enumerated() {
            guard let unit = units[spec.unit], let unitID = unit.id,
                  let outletID = unit.kind == UnitKind.courier.rawValue ? unit.parentID : unit.id,
                  let rule = rules.first(where: { $0.code == spec.rule }),
                  let amount = try? rule.amount(quantity: spec.quantity, among: rules) else { continue }
            let issued = now.addingTimeInterval(-spec.hoursAgo * 3_600)
            var row = FineRow(
                id: ids.next(), number: "KH" + FineService.day(issued, in: app.kesu.config.timeZone) + String(format: "%04d", 9_000 + i),
                unitID: unitID, outletID: outletID, ownerPath: unit.path, ruleCode: rule.code, quantity: spec.quantity,
                amountFen: amount, reason: spec.reason, complaintID: nil, parcelID: nil, issuedByID: issuerID,
                issuedByName: issuer.displayName, issuerPath: hq.path, issuedAt: issued, deadline: issued + w.appeal)
            func entry(_ at: Date, _ by: UserModel?, _ kind: String, decision: FineDecision? = nil, amount: Int? = nil,
                       note: String?) -> UUID {
                let e = FineEntry(id: ids.next(), fineID: row.id, at: at, byID: by?.id, byName: by?.displayName ?? "Kesu",
                                  kind: kind, decision: decision?.rawValue, amountFen: amount, note: note)
                entries.append(e)
                return e.id
            }
            _ = entry(issued, issuer, "issued", amount: amount, note: spec.reason)
            // The outlet owner appeals for the outlet and its couriers.
            let outletUser = users.values.first { $0.role == Role.outlet.rawValue && $0.$unit.id == outletID }
            let appealedAt = issued + min(20 * 3_600, spec.hoursAgo * 3_600 / 3)
            if spec.stage != .open && spec.stage != .accepted {
                row.appealedAt = appealedAt
                let id = entry(appealedAt, outletUser, "appealed", note: "业务员多次电话联系客户未果，附通话记录截图。")
                evidence.append(FineEvidenceRow(id: ids.next(), fineID: row.id, entryID: id, kind: "call_record",
                                                fileName: "通话记录.png", contentType: "image/png", size: callLog.count,
                                                uploadedBy: outletUser?.displayName ?? unit.name, createdAt: appealedAt, data: callLog))
            }
            let decidedAt = appealedAt + 20 * 3_600
            switch spec.stage {
            case .open:
                break
            case .appealed:
                row.status = .appealed
                row.window = .review
                row.deadline = appealedAt + w.review
            case .overdue:
                row.status = .appealed
                row.window = .review
                row.deadline = nil
                row.suspended = true
                row.overdueAt = appealedAt + w.review
                _ = entry(appealedAt + w.review, nil, "overdue", amount: amount, note: FineWindow.review.rawValue)
            case .decided, .secondReview:
                row.status = .decided
                row.decision = .uphold
                row.firstReviewerID = reviewerID
                row.window = .secondAsk
                row.deadline = decidedAt + w.secondAsk
                _ = entry(decidedAt, reviewer, "decided", decision: .uphold, amount: amount, note: "通话记录不能证明已联系收件人")
                if spec.stage == .secondReview {
                    row.status = .secondReview
                    row.window = .secondReview
                    row.deadline = decidedAt + 10 * 3_600 + w.review
                    _ = entry(decidedAt + 10 * 3_600, outletUser, "second_review_asked", note: "请求复核：轨迹显示客户已改约")
                }
            case .accepted:
                row.status = .final
                row.window = nil
                row.deadline = nil
                row.finalAt = issued + 10 * 3_600
                _ = entry(issued + 10 * 3_600, outletUser, "accepted", note: nil)
            case .upheld, .reduced, .revoked:
                let decision: FineDecision = spec.stage == .upheld ? .uphold : spec.stage == .reduced ? .reduce : .revoke
                row.dueFen = decision == .revoke ? 0 : decision == .reduce ? amount / 2 : amount
                row.status = .final
                row.decision = decision
                row.firstReviewerID = reviewerID
                row.window = nil
                row.deadline = nil
                row.finalAt = decision == .revoke ? decidedAt : decidedAt + w.secondAsk
                _ = entry(decidedAt, reviewer, "decided", decision: decision, amount: row.dueFen,
                          note: decision == .reduce ? "客户确有多次重复投诉，减半" : decision == .revoke ? "轨迹显示已妥投，撤销" : "证据不足，维持")
                if decision != .revoke { _ = entry(decidedAt + w.secondAsk, nil, "closed", amount: row.dueFen, note: "second_ask") }
            }
            if let window = row.window, let deadline = row.deadline {
                clocks.append(StoredClock(
                    id: ids.next(), subject: ClockSubject(kind: FineService.clockKind, id: row.id), complaintID: nil,
                    clock: .fixed(.deadline, madeAt: deadline - (window == .appeal ? w.appeal : w.review), due: deadline,
                                  warnFraction: 2.0 / 3.0),
                    warnActions: [.notify], breachActions: [.notify], policyID: nil, note: window.rawValue))
            }
            fines.append(row)
        }
        let (allFines, allEntries, allEvidence, allClocks) = (fines, entries, evidence, clocks)
        try await app.kesu.writer.write(on: db) { tx in
            try await FineStore.insert(allFines, on: tx)
            try await FineStore.insert(allEntries, on: tx)
            try await FineStore.insert(allEvidence, on: tx)
            try await ClockStore.insert(allClocks, on: tx)
        }
    }
}
