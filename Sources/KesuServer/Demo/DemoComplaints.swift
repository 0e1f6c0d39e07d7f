import Fluent
import Foundation
import KesuCore
import KesuStore
import SQLKit
import Vapor

/// Fills a database with realistic complaints — spread over outlets, categories, states and months, each with
/// a shipment, tracking scans and a timeline — in large batched transactions, fast enough for a million.
struct DemoComplaints {
    let app: Application
    var rng: SplitMix64

    init(app: Application, seed: UInt64) {
        self.app = app
        rng = SplitMix64(seed: seed)
    }

    /// The status path a complaint walks; a complaint at index k has passed through the first k.
    static let path: [ComplaintStatus] = [.received, .triaged, .investigating, .proposing, .awaitingCustomer,
                                          .executing, .followUp, .closed]

    /// Generates `count` complaints received over the last `spreadDays` days; `progress` gets the running total.
    mutating func generate(count: Int, spreadDays: Int = 365, batchSize: Int = 2_000,
                           progress: (@Sendable (Int) -> Void)? = nil) async throws
    {
        let db = app.db
        let services = app.kesu
        let outlets = try await OrgUnitModel.query(on: db).filter(\.$kind == UnitKind.outlet.rawValue).all()
        guard !outlets.isEmpty else { throw KesuError.invalid("The organisation has no outlets; create some first.") }
        let handlers = try await UserModel.query(on: db)
            .filter(\.$role ~~ [Role.agent.rawValue, Role.supervisor.rawValue]).all()
        let customers = try await makeCustomers(max(20, count / 3))
        let now = services.now()
        let settings = try await services.clockSettings(on: db)
        var done = 0
        while done < count {
            let n = min(batchSize, count - done)
            let batch = makeBatch(n, offset: done, total: count, now: now, spreadDays: spreadDays, outlets: outlets,
                                  handlers: handlers, customers: customers, settings: settings)
            try await services.writer.write(on: db) { tx in try await batch.insert(on: tx, zone: services.config.timeZone) }
            done += n
            progress?(done)
        }
        try await db.sql.raw("""
            UPDATE customers SET complaint_count = (SELECT COUNT(*) FROM complaints WHERE complaints.customer_id = customers.id)
            """).run()
    }

    private mutating func makeCustomers(_ n: Int) async throws -> [UUID] {
        let prefixes = ["138", "139", "158", "159", "186", "187", "188", "136", "137", "135", "150", "151"]
        var phones: [String] = []
        for _ in 0..<n {
            phones.append(rng.pick(prefixes) + String(format: "%08d", Int.random(in: 0..<100_000_000, using: &rng)))
        }
        let services = app.kesu
        let now = services.now()
        var ids: [UUID] = []
        for chunk in phones.chunked(500) {
            var built: [[any Encodable & Sendable]] = []
            for phone in chunk {
                let name = String(rng.pick(DemoText.surnames)) + rng.pick(DemoText.givenNames)
                let kind = Int.random(in: 0..<20, using: &rng) == 0 ? "business" : "individual"
                built.append([services.ids.next(), phone, name, String?.none, kind, 0, now])
            }
            let rows = built
            let found = try await services.writer.write(on: app.db) { tx in
                try await BulkInsert.rows(into: "customers",
                                          columns: ["id", "phone", "name", "email", "kind", "complaint_count", "created_at"],
                                          rows, ignoringConflictOn: "phone", on: tx)
                return try await CustomerModel.query(on: tx).filter(\.$phone ~~ chunk).all().compactMap(\.id)
            }
            ids += found
        }
        return ids
    }

    private mutating func makeBatch(_ n: Int, offset: Int, total: Int, now: Date, spreadDays: Int,
                                    outlets: [OrgUnitModel], handlers: [UserModel], customers: [UUID],
                                    settings: ClockSettings) -> DemoBatch
    {
        let ids = app.kesu.ids
        var batch = DemoBatch()
        let categories = ComplaintCategory.allCases
        let channels = KesuCore.Channel.allCases
        for i in 0..<n {
            let index = offset + i
            let id = ids.next()
            // Spread evenly over the period, newest last, with a little jitter.
            let age = Double(spreadDays) * 86_400 * (1 - (Double(index) + Double.random(in: 0..<1, using: &rng)) / Double(total))
            let receivedAt = now.addingTimeInterval(-age).roundedToMillis
            // The first few cover every category, channel and status; the rest are drawn at random.
            let category = index < categories.count ? categories[index] : rng.pick(categories)
            let channel = index < channels.count ? channels[index] : weightedChannel()
            let stage = stageFor(index: index, ageDays: age / 86_400)
            let status = stage.status
            let outlet = rng.pick(outlets)
            let handler = stage.reached >= 1 ? handlers.randomElement(using: &rng) : nil
            var description = rng.pick(DemoText.descriptions[category] ?? DemoText.descriptions[.other] ?? ["其他问题"])
            var priority = Priority.p3
            var flags: [String] = []
            if Int.random(in: 0..<12, using: &rng) == 0 {
                let threat = rng.pick(DemoText.threats)
                if !threat.isEmpty {
                    description += threat
                    priority = .p1
                    flags.append(threat.contains("曝光") ? "media_risk" : "regulator_risk")
                }
            }
            if channel == .regulator {
                priority = .p1
                flags.append("regulator")
            }
            let waybill = "KD" + String(batchBase &+ UInt64(index))
            let closed = status == .closed
            let itemKind = rng.pick(DemoText.itemKinds)
            if itemKind == "fresh_food" || itemKind == "medicine", priority < .p2 {
                priority = .p2
                flags.append("perishable")
            }
            batch.addComplaint(
                id: id, receivedAt: receivedAt, status: status, heldFrom: stage.heldFrom, channel: channel,
                category: category, priority: priority, description: description,
                customerID: customers[Int.random(in: 0..<customers.count, using: &rng)],
                assigneeID: handler?.id, outlet: outlet, flags: flags, waybill: waybill,
                closure: closed ? (rng.pick(DemoText.summaries),
                                   rng.pick(ResponsibleParty.allCases).rawValue,
                                   rng.pick(DemoText.rootCauses)) : nil,
                ids: ids)
            // Shipment and tracking, all before the complaint.
            let fee = Int64(Int.random(in: 8...30, using: &rng) * 100)
            let insured: Int64? = Int.random(in: 0..<4, using: &rng) == 0 ? Int64(Int.random(in: 5...300, using: &rng) * 1_000) : nil
            let pickedUp = receivedAt.addingTimeInterval(-Double(Int.random(in: 2...5, using: &rng)) * 86_400)
            batch.addShipment(id: ids.next(), waybill: waybill, fee: fee, insured: insured, itemKind: itemKind,
                              destination: outlet, pickedUp: pickedUp, ids: ids, rng: &rng)
            // Clocks run along the same history as the timeline.
            let rule = settings.rule(category: category, priority: priority, channel: channel)
            var clocks = ClockBook.opening(complaintID: id, receivedAt: receivedAt, channel: channel, category: category,
                                           priority: priority, regulatorForwardedAt: receivedAt.addingTimeInterval(-86_400),
                                           settings: settings, ids: ids.next)
            // Timeline: created, then each status reached, with a reply and a note along the way.
            var at = receivedAt
            let actorName = handler?.displayName ?? "系统"
            batch.addEvent(ids.next(), id, at, nil, "系统", "created", true, "已受理 / received via \(channel.rawValue)", nil,
                           "{\"status\":\"received\"}")
            for k in 0..<stage.reached {
                at = min(at.addingTimeInterval(Double(Int.random(in: 600...30_000, using: &rng))), now)
                let from = Self.path[k].rawValue, to = Self.path[k + 1].rawValue
                batch.addEvent(ids.next(), id, at, handler?.id, actorName, "status_changed", true, nil,
                               "{\"status\":\"\(from)\"}", "{\"status\":\"\(to)\"}")
                _ = ClockBook.move(&clocks, from: Self.path[k], to: Self.path[k + 1], at: at, calendar: settings.calendar)
                if Self.path[k + 1] == .followUp { clocks.append(ClockBook.followUp(complaintID: id, at: at, id: ids.next())) }
                if k == 0 {
                    at = min(at.addingTimeInterval(300), now)
                    batch.addEvent(ids.next(), id, at, handler?.id, actorName, "reply", true,
                                   rng.pick(DemoText.replies), nil, nil)
                    batch.setFirstReply(at)
                    _ = ClockBook.meet(&clocks, kinds: ClockRules.metByReply, at: at)
                } else if k == 1 {
                    batch.addEvent(ids.next(), id, at, handler?.id, actorName, "note", false,
                                   rng.pick(DemoText.notes), nil, nil)
                }
            }
            if let held = stage.heldFrom {
                at = min(at.addingTimeInterval(3_600), now)
                batch.addEvent(ids.next(), id, at, handler?.id, actorName, "status_changed", true, nil,
                               "{\"status\":\"\(held.rawValue)\"}", "{\"status\":\"on_hold\"}")
                _ = ClockBook.move(&clocks, from: held, to: .onHold, at: at, calendar: settings.calendar)
            }
            if status == .reopened {
                at = min(at.addingTimeInterval(86_400), now)
                batch.addEvent(ids.next(), id, at, handler?.id, actorName, "status_changed", true, "客户回访不满意",
                               "{\"status\":\"closed\"}", "{\"status\":\"reopened\"}")
                _ = ClockBook.move(&clocks, from: .closed, to: .reopened, at: at, calendar: settings.calendar)
                clocks.append(ClockBook.reopened(complaintID: id, at: at, rule: rule, calendar: settings.calendar,
                                                 id: ids.next()))
            }
            ClockBook.settleHistory(&clocks, now: now)
            batch.finishComplaint(updatedAt: at, closedAt: closed ? at : nil, clocks: clocks)
        }
        return batch
    }

    /// Where a complaint stands: older ones are mostly closed; the first few cover every status.
    private mutating func stageFor(index: Int, ageDays: Double) -> (status: ComplaintStatus, reached: Int, heldFrom: ComplaintStatus?) {
        let all = ComplaintStatus.allCases
        var status: ComplaintStatus
        if index < all.count {
            status = all[index]
        } else if ageDays > 14, Int.random(in: 0..<10, using: &rng) < 9 {
            status = .closed
        } else {
            status = all[Int.random(in: 0..<all.count, using: &rng)]
        }
        switch status {
        case .onHold:
            let k = Int.random(in: 1...4, using: &rng)
            return (.onHold, k, Self.path[k])
        case .reopened:
            return (.reopened, Self.path.count - 1, nil)
        default:
            return (status, Self.path.firstIndex(of: status) ?? 0, nil)
        }
    }

    private mutating func weightedChannel() -> KesuCore.Channel {
        let r = Int.random(in: 0..<100, using: &rng)
        switch r {
        case 0..<45: return .phone
        case 45..<60: return .web
        case 60..<75: return .wechat
        case 75..<82: return .app
        case 82..<88: return .platform
        case 88..<93: return .email
        case 93..<97: return .api
        default: return .regulator
        }
    }

    private lazy var batchBase: UInt64 = UInt64.random(in: 100_000_000...899_999_999, using: &rng) * 1_000
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
