import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// The demo company's problem parcels (问题件): fresh ones, ones lapsing today, lapsed ones (already alerted), and
/// settled ones — at the Pudong outlet's couriers mostly, as seed 003's outlet owner would see them in the morning.
enum DemoParcels {
    struct Spec {
        var waybill: String, outlet: String, courier: String?, reason: String
        var hoursAgo: Double, followUps: [Double], settled: (hoursAgo: Double, outcome: ProblemOutcome)?
        var note: String?
    }

    static let specs: [Spec] = [
        Spec(waybill: "YT7000000001", outlet: "SH-PD", courier: "SH-PD-C01", reason: "no_answer", hoursAgo: 3, followUps: [],
             settled: nil, note: "白天电话无人接，晚上再打"),
        Spec(waybill: "YT7000000002", outlet: "SH-PD", courier: "SH-PD-C02", reason: "address_unknown", hoursAgo: 20,
             followUps: [6], settled: nil, note: "门牌号缺失"),
        Spec(waybill: "YT7000000003", outlet: "SH-PD", courier: "SH-PD-C01", reason: "rescheduled", hoursAgo: 62,
             followUps: [40, 20], settled: nil, note: "客户出差，要求周末派送"),
        Spec(waybill: "YT7000000004", outlet: "SH-PD", courier: "SH-PD-C02", reason: "refused", hoursAgo: 68, followUps: [50],
             settled: nil, note: "收件人称未购买"),
        Spec(waybill: "YT7000000005", outlet: "SH-PD", courier: "SH-PD-C01", reason: "damaged_on_arrival", hoursAgo: 100,
             followUps: [90], settled: nil, note: "外箱破损，待发件人确认"),
        Spec(waybill: "YT7000000006", outlet: "GZ-TH", courier: "GZ-TH-C01", reason: "out_of_area", hoursAgo: 130,
             followUps: [], settled: nil, note: nil),
        Spec(waybill: "YT7000000007", outlet: "SH-PD", courier: "SH-PD-C02", reason: "no_answer", hoursAgo: 50, followUps: [30],
             settled: (10, .delivered), note: nil),
        Spec(waybill: "YT7000000008", outlet: "HZ-XH", courier: "HZ-XH-C01", reason: "refused", hoursAgo: 120, followUps: [100],
             settled: (80, .returned), note: nil),
        Spec(waybill: "YT7000000009", outlet: "SH-PD", courier: "SH-PD-C01", reason: "damaged_on_arrival", hoursAgo: 150,
             followUps: [140, 120], settled: (60, .compensated), note: "按保价赔付"),
    ]

    static func seed(_ app: Application) async throws {
        let db = app.db
        let now = app.kesu.now().roundedToMillis
        let units = Dictionary(uniqueKeysWithValues: try await OrgStore.all(on: db).map { ($0.code, $0) })
        let rules = try await ProblemParcelService(services: app.kesu, db: db).rules()
        var parcels: [ProblemParcelRow] = [], entries: [ProblemParcelEntry] = [], clocks: [StoredClock] = []
        for spec in specs {
            guard let outlet = units[spec.outlet], let outletID = outlet.id else { continue }
            let courier = spec.courier.flatMap { units[$0] }
            let opened = now.addingTimeInterval(-spec.hoursAgo * 3_600)
            let by = courier?.name ?? outlet.name
            var row = ProblemParcelRow(
                id: app.kesu.ids.next(), waybill: spec.waybill, outletID: outletID, courierID: courier?.id,
                ownerPath: courier?.path ?? outlet.path, reasonCode: spec.reason, note: spec.note, openedByID: nil,
                openedByName: by, openedAt: opened, lapseAt: rules.lapseAt(openedAt: opened))
            entries.append(ProblemParcelEntry(id: app.kesu.ids.next(), parcelID: row.id, at: opened, byID: nil, byName: by,
                                              kind: "registered", note: spec.note))
            for hours in spec.followUps {
                let at = now.addingTimeInterval(-hours * 3_600)
                entries.append(ProblemParcelEntry(id: app.kesu.ids.next(), parcelID: row.id, at: at, byID: nil, byName: by,
                                                  kind: "follow_up", method: ContactMethod.phone.rawValue,
                                                  note: "已电话联系客户，约定再次派送"))
                row.lastContactAt = max(row.lastContactAt, at)
                row.followUps += 1
            }
            var clock = StoredClock(
                id: app.kesu.ids.next(), subject: ClockSubject(kind: ProblemParcelService.clockKind, id: row.id),
                complaintID: nil, clock: .fixed(.deadline, madeAt: opened, due: row.lapseAt, warnFraction: 2.0 / 3.0),
                warnActions: [.notify], breachActions: [.notify], policyID: nil, note: row.waybill)
            if let settled = spec.settled {
                let at = now.addingTimeInterval(-settled.hoursAgo * 3_600)
                row.settledAt = at
                row.outcome = settled.outcome.rawValue
                clock.clock.meet(at: at)
                entries.append(ProblemParcelEntry(id: app.kesu.ids.next(), parcelID: row.id, at: at, byID: nil, byName: by,
                                                  kind: "settled", method: settled.outcome.rawValue))
            }
            if row.settledAt == nil, row.lapseAt <= now {
                row.lapsedAt = row.lapseAt
                entries.append(ProblemParcelEntry(id: app.kesu.ids.next(), parcelID: row.id, at: row.lapseAt, byID: nil,
                                                  byName: "Kesu", kind: "lapsed"))
            }
            // What fell before now counts as fired, as a running scheduler would have done.
            var one = [clock]
            ClockBook.settleHistory(&one, now: now)
            parcels.append(row)
            clocks += one
        }
        let (rows, lines, firing) = (parcels, entries, clocks)
        try await app.kesu.writer.write(on: db) { tx in
            try await ProblemParcelStore.insert(rows, on: tx)
            try await ProblemParcelStore.insert(lines, on: tx)
            try await ClockStore.insert(firing, on: tx)
        }
    }
}
