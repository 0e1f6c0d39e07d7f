import Fluent
import Foundation
import KesuCore
import KesuStore

/// One batch of generated rows, inserted table by table with multi-row statements.
struct DemoBatch {
    typealias Row = [any Encodable & Sendable]
    private var complaints: [Row] = []
    private var pending: Row = []
    private var firstReply: Date?
    private var links: [Row] = []
    private var shipments: [Row] = []
    private var scans: [Row] = []
    private var events: [Row] = []
    private var clocks: [StoredClock] = []

    static let complaintColumns = [
        "id", "number", "status", "held_from", "channel", "category", "priority", "description", "customer_id",
        "assignee_id", "outlet_id", "scope_path", "escalation_level", "flags", "waybills", "resolution_summary",
        "responsible_party", "root_cause", "received_at", "first_reply_at", "closed_at", "created_at", "updated_at",
        "due_at", "due_warn_at", "due_kind",
    ]

    mutating func addComplaint(id: UUID, receivedAt: Date, status: ComplaintStatus, heldFrom: ComplaintStatus?,
                               channel: KesuCore.Channel, category: ComplaintCategory, priority: Priority, description: String,
                               customerID: UUID, assigneeID: UUID?, outlet: OrgUnitModel, flags: [String],
                               waybill: String, closure: (String, String, String)?, ids: IDGenerator)
    {
        // The number is filled in at insert, once each day's sequence is reserved.
        pending = [id, "", status.rawValue, heldFrom?.rawValue, channel.rawValue, category.rawValue, priority.rawValue,
                   description, customerID, assigneeID, outlet.id, outlet.path, 0, flags.sorted().joined(separator: ","),
                   waybill, closure?.0, closure?.1, closure?.2, receivedAt]
        firstReply = nil
        links.append([ids.next(), id, waybill])
    }

    mutating func setFirstReply(_ at: Date) { firstReply = at }

    /// Ends the complaint begun by `addComplaint`, with its clocks as they stand after its history.
    mutating func finishComplaint(updatedAt: Date, closedAt: Date?, clocks: [StoredClock]) {
        guard let receivedAt = pending.last as? Date else { return }
        let nearest = ClockBook.nearest(clocks)
        pending += [firstReply, closedAt, receivedAt, updatedAt, nearest?.dueAt, nearest?.warnAt, nearest?.kind.rawValue]
        complaints.append(pending)
        pending = []
        self.clocks += clocks
    }

    mutating func addShipment(id: UUID, waybill: String, fee: Int64, insured: Int64?, itemKind: String,
                              destination: OrgUnitModel, pickedUp: Date, ids: IDGenerator, rng: inout SplitMix64)
    {
        shipments.append([id, waybill, fee, insured, itemKind, UUID?.none, destination.id,
                          pickedUp.addingTimeInterval(2 * 86_400).roundedToMillis, pickedUp])
        let steps: [(String, String, Double)] = [
            ("picked_up", "快递员已揽收", 0), ("arrived_hub", "到达上海转运中心", 10),
            ("departed", "已发出，下一站 \(destination.name)", 16), ("out_for_delivery", "派送中", 30),
        ]
        let count = Int.random(in: 2...steps.count, using: &rng)
        for step in steps.prefix(count) {
            scans.append([ids.next(), id, pickedUp.addingTimeInterval(step.2 * 3_600).roundedToMillis, step.0, step.1,
                          destination.name])
        }
    }

    mutating func addEvent(_ id: UUID, _ complaintID: UUID, _ at: Date, _ actorID: UUID?, _ actorName: String,
                           _ kind: String, _ visible: Bool, _ note: String?, _ before: String?, _ after: String?)
    {
        events.append([id, complaintID, at.roundedToMillis, actorID, actorName, kind, visible, note, before, after])
    }

    /// Inserts everything in the caller's transaction, reserving complaint numbers per day.
    func insert(on db: any Database, zone: TimeZone) async throws {
        var rows = complaints
        var perDay: [String: [Int]] = [:]
        for (i, row) in rows.enumerated() {
            guard let at = row[18] as? Date else { continue }
            perDay[ComplaintNumber.dayKey(of: at, in: zone), default: []].append(i)
        }
        for (day, indexes) in perDay.sorted(by: { $0.key < $1.key }) {
            let first = try await NumberSequence.reserve(day: day, count: indexes.count, on: db)
            let ordered = indexes.sorted { (rows[$0][18] as? Date ?? .distantPast) < (rows[$1][18] as? Date ?? .distantPast) }
            for (k, i) in ordered.enumerated() {
                rows[i][1] = ComplaintNumber(day: day, sequence: first + k).rawValue
            }
        }
        try await BulkInsert.rows(
            into: "shipments",
            columns: ["id", "waybill", "service_fee_fen", "insured_value_fen", "item_kind", "origin_unit_id",
                      "destination_unit_id", "promised_at", "updated_at"],
            shipments, on: db)
        try await BulkInsert.rows(
            into: "tracking_events", columns: ["id", "shipment_id", "at", "kind", "description", "location"], scans, on: db)
        try await BulkInsert.rows(into: "complaints", columns: Self.complaintColumns, rows, on: db)
        try await BulkInsert.rows(into: "complaint_waybills", columns: ["id", "complaint_id", "waybill"], links, on: db)
        try await BulkInsert.rows(
            into: "complaint_events",
            columns: ["id", "complaint_id", "at", "actor_id", "actor_name", "kind", "customer_visible", "note", "before",
                      "after"],
            events, on: db)
        try await ClockStore.insert(clocks, on: db)
        try await SearchIndex.refresh(rows.compactMap { $0[0] as? UUID }, on: db)
    }
}
