import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// `demo-data --parcels N` — N problem parcels over the last 90 days across every outlet's couriers (most settled, some
/// lapsed, the newest open with their clocks running) and one fine for every twentieth, in every state: the scale the
/// outlet's home page and the performance board are measured at.
struct DemoOutletLoad {
    let app: Application
    var random: SplitMix64

    mutating func generate(parcels count: Int, batchSize: Int = 2_000, progress: (Int) -> Void) async throws {
        let db = app.db
        let ids = app.kesu.ids
        let now = app.kesu.now()
        let units = try await OrgStore.all(on: db)
        let couriers = units.filter { $0.kind == UnitKind.courier.rawValue }
        let outlets = Dictionary(uniqueKeysWithValues: units.compactMap { u in u.id.map { ($0, u) } })
        guard !couriers.isEmpty, let issuer = try await UserModel.query(on: db).filter(\.$username == "quality").first(),
              let issuerID = issuer.id, let hq = units.first(where: { $0.kind == UnitKind.hq.rawValue }) else { return }
        let reasons = try await ProblemParcelStore.reasons(on: db).map(\.code)
        let outcomes: [ProblemOutcome] = [.delivered, .delivered, .delivered, .returned, .redirected, .compensated, .complaint]
        let rules: [(String, Int)] = [("locker_without_consent", 1_000), ("complaint_courier", 20_000), ("lost_parcel", 50_000)]
        let statuses: [FineStatus] = [.final, .final, .final, .open, .appealed, .decided]
        var done = 0
        while done < count {
            let n = min(batchSize, count - done)
            var parcels: [ProblemParcelRow] = [], clocks: [StoredClock] = [], fines: [FineRow] = []
            for i in 0..<n {
                let index = done + i
                let courier = random.pick(couriers)
                guard let outletID = courier.parentID, let outlet = outlets[outletID], let courierID = courier.id else { continue }
                // Spread over 90 days, the newest last; the newest few hundred still open.
                let opened = now.addingTimeInterval(-Double(count - index) / Double(count) * 90 * 86_400 - 600)
                var row = ProblemParcelRow(
                    id: ids.next(), waybill: "PL\(String(format: "%010d", index))", outletID: outletID, courierID: courierID,
                    ownerPath: courier.path, reasonCode: random.pick(reasons), note: nil, openedByID: nil,
                    openedByName: courier.name, openedAt: opened, lapseAt: opened.addingTimeInterval(3 * 86_400))
                let open = count - index <= max(1, count / 200)
                if open {
                    clocks.append(StoredClock(
                        id: ids.next(), subject: ClockSubject(kind: ProblemParcelService.clockKind, id: row.id), complaintID: nil,
                        clock: .fixed(.deadline, madeAt: opened, due: row.lapseAt, warnFraction: 2.0 / 3.0),
                        warnActions: [.notify], breachActions: [.notify], policyID: nil, note: row.waybill))
                } else {
                    let hours = Double.random(in: 2...120, using: &random)
                    row.settledAt = min(now, opened.addingTimeInterval(hours * 3_600))
                    row.outcome = random.pick(outcomes).rawValue
                    row.followUps = Int(hours / 24)
                    row.lastContactAt = opened.addingTimeInterval(Double(row.followUps) * 86_400)
                    if hours > 72 { row.lapsedAt = row.lapseAt }
                }
                parcels.append(row)
                if index % 20 == 0 {
                    let (rule, fen) = random.pick(rules)
                    var fine = FineRow(
                        id: ids.next(), number: "KL\(String(format: "%010d", index))", unitID: index % 40 == 0 ? outletID : courierID,
                        outletID: outletID, ownerPath: index % 40 == 0 ? outlet.path : courier.path, ruleCode: rule,
                        quantity: 1, amountFen: fen, reason: "批量演示考核", complaintID: nil, parcelID: row.id, issuedByID: issuerID,
                        issuedByName: issuer.displayName, issuerPath: hq.path, issuedAt: opened.addingTimeInterval(5 * 86_400),
                        deadline: nil)
                    fine.status = random.pick(statuses)
                    fine.window = nil
                    if fine.status != .final { fine.deadline = max(now, fine.issuedAt).addingTimeInterval(48 * 3_600) }
                    if fine.status == .final, index % 3 == 0 { fine.dueFen = fen / 2; fine.decision = .reduce }
                    if fine.issuedAt <= now { fines.append(fine) }
                }
            }
            let (p, c, f) = (parcels, clocks, fines)
            try await app.kesu.writer.write(on: db) { tx in
                try await ProblemParcelStore.insert(p, on: tx)
                try await ClockStore.insert(c, on: tx)
                try await FineStore.insert(f, on: tx)
            }
            done += n
            progress(done)
        }
    }
}
