import Fluent
import Foundation
import KesuCore
import KesuStore

/// What a courier, an outlet or the operations system registers as a problem parcel.
package struct ProblemParcelDraft: Sendable {
    package var waybill: String
    package var reason: String
    /// The courier's unit code; a courier registering names themselves.
    package var courier: String?
    /// The outlet's code, for callers above the outlet (the operations system, HQ).
    package var outlet: String?
    package var note: String?

    package init(waybill: String, reason: String, courier: String? = nil, outlet: String? = nil, note: String? = nil) {
        self.waybill = waybill
        self.reason = reason
        self.courier = courier
        self.outlet = outlet
        self.note = note
    }
}

/// A daily follow-up of a problem parcel: how the customer was reached, what came of it, and the next attempt.
package struct ProblemFollowUp: Sendable {
    package var method: String
    package var note: String
    package var nextAttemptAt: Date?

    package init(method: String, note: String, nextAttemptAt: Date? = nil) {
        self.method = method
        self.note = note
        self.nextAttemptAt = nextAttemptAt
    }
}

/// 问题件 — registering a delivery exception, following it up every day, settling it; its lapse clock alerts the
/// outlet (a reminder) and customer service (the lapse) through the outbox.
package struct ProblemParcelService {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    static let lapseKey = "problem_parcel.lapse_days"
    static let clockKind = "problem_parcel"
    static let noteLimit = 500

    /// The rules in force: the standard ones with the lapse an administrator set.
    package func rules() async throws -> ProblemParcelRules {
        guard let days = try await SettingsStore.value(Self.lapseKey, on: db).flatMap(Int.init) else { return .standard }
        return (try? ProblemParcelRules.lapsing(afterDays: days)) ?? .standard
    }

    // MARK: Registering

    package func register(_ draft: ProblemParcelDraft, by actor: Actor) async throws -> ProblemParcelRow {
        try actor.require(.registerProblemParcels)
        var problems = ValidationProblems()
        let waybill = WaybillNumber.normalise(draft.waybill.trimmed)
        if waybill == nil { problems.add("waybill", "is not a waybill number") }
        let note = draft.note?.trimmed ?? ""
        if note.length > Self.noteLimit { problems.add("note", "must be at most 500 characters") }
        let reasons = try await ProblemParcelStore.reasons(on: db)
        if !reasons.contains(where: { $0.code == draft.reason && $0.active }) { problems.refuse("reasonCode", "is not on the list") }
        try problems.throwIfAny("The problem parcel cannot be registered.")
        let (outlet, courier) = try await units(for: draft, by: actor)
        let ownerPath = courier?.path ?? outlet.path
        try actor.require(.registerProblemParcels, on: .owned(by: ownerPath))
        let now = services.now().roundedToMillis
        let rules = try await rules()
        var row = ProblemParcelRow(
            id: services.ids.next(), waybill: waybill ?? "", outletID: try outlet.requireID(), courierID: try courier?.requireID(),
            ownerPath: ownerPath, reasonCode: draft.reason, note: note.isEmpty ? nil : note, openedByID: actor.userID,
            openedByName: actor.displayName, openedAt: now, lapseAt: rules.lapseAt(openedAt: now))
        let clock = StoredClock(
            id: services.ids.next(), subject: ClockSubject(kind: Self.clockKind, id: row.id), complaintID: nil,
            clock: .fixed(.deadline, madeAt: now, due: row.lapseAt, warnFraction: 2.0 / 3.0),
            warnActions: [.notify], breachActions: [.notify], policyID: nil, note: row.waybill)
        let entry = ProblemParcelEntry(id: services.ids.next(), parcelID: row.id, at: now, byID: actor.userID,
                                       byName: actor.displayName, kind: "registered", note: row.note)
        let new = row
        try await services.writer.write(on: db) { tx in
            guard try await ProblemParcelStore.open(waybills: [new.waybill], on: tx).isEmpty else {
                throw KesuError.conflict("This waybill has an open problem parcel already; follow that one up.")
            }
            try await ProblemParcelStore.insert([new], on: tx)
            try await ProblemParcelStore.insert([entry], on: tx)
            try await ClockStore.insert([clock], on: tx)
        }
        row.outletName = outlet.name
        row.outletCode = outlet.code
        row.courierName = courier?.name
        row.courierCode = courier?.code
        return row
    }

    /// An outlet (or its courier) registers for itself: naming another outlet is another unit's business.
    private static func refuseOther(_ code: String?, than outlet: OrgUnitModel) throws {
        guard let code = code?.trimmed, !code.isEmpty, code != outlet.code else { return }
        throw KesuError.forbidden("This belongs to another unit.")
    }

    /// The outlet and courier a registration is for: a courier's own, an outlet's own with one of its couriers, or
    /// the outlet a caller above names.
    private func units(for draft: ProblemParcelDraft, by actor: Actor) async throws -> (OrgUnitModel, OrgUnitModel?) {
        guard let own = try await OrgUnitModel.find(actor.unitID, on: db) else { throw KesuError.notFound("No such unit.") }
        var outlet: OrgUnitModel
        switch actor.unitKind {
        case .courier:
            guard let parentID = own.parentID, let parent = try await OrgUnitModel.find(parentID, on: db) else {
                throw KesuError.notFound("The courier's outlet is missing.")
            }
            try Self.refuseOther(draft.outlet, than: parent)
            return (parent, own)
        case .outlet, .transferCentre:
            try Self.refuseOther(draft.outlet, than: own)
            outlet = own
        case .hq, .region:
            guard let code = draft.outlet?.trimmed, !code.isEmpty else {
                throw KesuError.refused("Name the outlet.", fields: ["outlet": ["missing"]])
            }
            guard let found = try await OrgStore.find(code: code, on: db),
                  [UnitKind.outlet.rawValue, UnitKind.transferCentre.rawValue].contains(found.kind) else {
                throw KesuError.refused("There is no outlet with this code.", fields: ["outlet": ["unknown"]])
            }
            outlet = found
        }
        guard let code = draft.courier?.trimmed, !code.isEmpty else { return (outlet, nil) }
        guard let courier = try await OrgStore.find(code: code, on: db), courier.kind == UnitKind.courier.rawValue,
              courier.parentID == outlet.id else {
            throw KesuError.refused("This courier is not one of the outlet's.", fields: ["courier": ["unknown"]])
        }
        return (outlet, courier)
    }

    // MARK: Working

    /// A parcel the actor may see (404 for one that does not exist, 403 for another unit's).
    package func parcel(_ id: UUID, for actor: Actor, to permission: Permission = .viewProblemParcels) async throws
        -> ProblemParcelRow
    {
        try actor.require(permission)
        guard let row = try await ProblemParcelStore.find(id, on: db) else { throw KesuError.notFound("No such problem parcel.") }
        try actor.require(permission, on: .owned(by: row.ownerPath, complaintID: row.complaintID))
        return row
    }

    package func entries(of id: UUID) async throws -> [ProblemParcelEntry] {
        try await ProblemParcelStore.entries(of: id, on: db)
    }

    package func followUp(_ id: UUID, _ followUp: ProblemFollowUp, by actor: Actor) async throws -> ProblemParcelRow {
        _ = try await parcel(id, for: actor, to: .workProblemParcels)
        var problems = ValidationProblems()
        if ContactMethod(rawValue: followUp.method) == nil { problems.add("method", "is not a way of contact") }
        let note = followUp.note.trimmed
        if followUp.note.length > Self.noteLimit {
            problems.add("note", "must be 2 to 500 characters")
        } else if note.length < 2 {
            problems.refuse("note", "must be 2 to 500 characters")
        }
        let now = services.now().roundedToMillis
        if let next = followUp.nextAttemptAt, next <= now || next.timeIntervalSince(now) > 30 * 86_400 {
            problems.refuse("nextAttemptAt", "must be within the coming 30 days")
        }
        try problems.throwIfAny("The follow-up cannot be recorded.")
        let entry = ProblemParcelEntry(id: services.ids.next(), parcelID: id, at: now, byID: actor.userID,
                                       byName: actor.displayName, kind: "follow_up", method: followUp.method, note: note,
                                       nextAttemptAt: followUp.nextAttemptAt?.roundedToMillis)
        return try await services.writer.write(on: db) { tx in
            try await RowLock.problemParcel(id, on: tx)
            guard var current = try await ProblemParcelStore.find(id, on: tx) else { throw KesuError.notFound("No such problem parcel.") }
            var rule = ProblemParcel(openedAt: current.openedAt, settledAt: current.settledAt)
            try rule.followUp(at: now)
            current.lastContactAt = now
            current.followUps += 1
            try await ProblemParcelStore.update(current, on: tx)
            try await ProblemParcelStore.insert([entry], on: tx)
            return current
        }
    }

    /// Settles the parcel as `outcome`; one converted into a complaint names that complaint (about the same waybill).
    package func settle(_ id: UUID, as outcome: String, note: String?, complaint number: String?, by actor: Actor)
        async throws -> ProblemParcelRow
    {
        let row = try await parcel(id, for: actor, to: .workProblemParcels)
        var problems = ValidationProblems()
        let outcome = ProblemOutcome(rawValue: outcome)
        if outcome == nil { problems.add("outcome", "is not a way to settle") }
        let note = note?.trimmed ?? ""
        if note.length > Self.noteLimit { problems.add("note", "must be at most 500 characters") }
        var complaintID = row.complaintID
        if outcome == .complaint {
            let number = number?.trimmed ?? ""
            if number.isEmpty, complaintID == nil {
                problems.refuse("complaint", "name the complaint it became")
            } else if !number.isEmpty {
                let complaint = try await ComplaintModel.query(on: db).filter(\.$number == number).first()
                if let complaint, complaint.waybills.split(separator: ",").contains(Substring(row.waybill)) {
                    complaintID = complaint.id
                } else {
                    problems.refuse("complaint", "is not a complaint about this waybill")
                }
            }
        }
        try problems.throwIfAny("The problem parcel cannot be settled.")
        guard let outcome else { throw KesuError.invalid("Choose how it was settled.") }
        let now = services.now().roundedToMillis
        let entry = ProblemParcelEntry(id: services.ids.next(), parcelID: id, at: now, byID: actor.userID,
                                       byName: actor.displayName, kind: "settled", method: outcome.rawValue,
                                       note: note.isEmpty ? nil : note)
        let linked = complaintID
        try await services.writer.write(on: db) { tx in
            try await RowLock.problemParcel(id, on: tx)
            var clocks = try await ClockStore.clocks(of: ClockSubject(kind: Self.clockKind, id: id), forUpdate: true, on: tx)
            guard var current = try await ProblemParcelStore.find(id, on: tx) else { throw KesuError.notFound("No such problem parcel.") }
            var rule = ProblemParcel(openedAt: current.openedAt, settledAt: current.settledAt)
            try rule.settle(outcome, at: now)
            current.settledAt = rule.settledAt
            current.outcome = outcome.rawValue
            current.complaintID = linked
            try await ProblemParcelStore.update(current, on: tx)
            try await ProblemParcelStore.insert([entry], on: tx)
            for i in clocks.indices where clocks[i].clock.metAt == nil {
                clocks[i].clock.meet(at: now)
                try await ClockStore.update(clocks[i], on: tx)
            }
        }
        return try await ProblemParcelStore.find(id, on: db) ?? row
    }

    /// The parcels the actor's unit sees in `state`.
    package func list(_ state: ProblemParcelState, limit: Int = 100, for actor: Actor) async throws -> [ProblemParcelRow] {
        try actor.require(.viewProblemParcels)
        return try await ProblemParcelStore.list(state, scope: AccessPolicy.scope(of: actor.principal), now: services.now(),
                                                 limit: min(max(limit, 1), 200), on: db)
    }

    // MARK: The list of reasons and the lapse

    package func saveReason(code: String, nameZh: String, nameEn: String, active: Bool, by actor: Actor) async throws {
        try actor.require(.manageProblemParcels)
        var problems = ValidationProblems()
        let code = code.trimmed, zh = nameZh.trimmed, en = nameEn.trimmed
        if !(2...40).contains(code.count) || !code.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLowercase || $0.isNumber)) }) {
            problems.add("reasonCode", "must be 2 to 40 lower-case letters, digits or _")
        }
        if !(1...20).contains(zh.length) { problems.add("nameZh", "must be 1 to 20 characters") }
        if !(1...40).contains(en.length) { problems.add("nameEn", "must be 1 to 40 characters") }
        try problems.throwIfAny("The reason cannot be saved.")
        let existing = try await ProblemParcelStore.reasons(on: db)
        let position = existing.first { $0.code == code }?.position ?? (existing.map(\.position).max() ?? -1) + 1
        try await services.writer.write(on: db) { tx in
            try await ProblemParcelStore.saveReason(
                ProblemReasonRow(code: code, nameZh: zh, nameEn: en, active: active, position: position), on: tx)
        }
    }

    package func setLapse(days: Int, by actor: Actor) async throws {
        try actor.require(.manageProblemParcels)
        _ = try ProblemParcelRules.lapsing(afterDays: days)
        try await services.writer.write(on: db) { try await SettingsStore.set(Self.lapseKey, to: String(days), on: $0) }
    }
}

extension ProblemParcelRow {
    /// The rules' view of the row, for its state on lists and in the API: the last contact stands for its follow-ups.
    var rule: ProblemParcel {
        ProblemParcel(openedAt: openedAt, followUps: followUps > 0 ? [lastContactAt] : [], settledAt: settledAt)
    }
}

/// A complaint about a waybill with an open problem parcel links to it: the complaint's timeline says so, and when the
/// parcel had no follow-up in the day before the complaint, that it counts against the courier (the parcel is marked
/// neglected, for the fine rules).
struct ProblemParcelLink: Sendable {
    var parcel: ProblemParcelRow
    var followUps: [Date]
    var reason: ProblemReasonRow?

    /// The open parcels of `waybills`, read before the complaint's write.
    static func open(waybills: [String], on db: any Database) async throws -> [ProblemParcelLink] {
        let parcels = try await ProblemParcelStore.open(waybills: waybills, on: db)
        guard !parcels.isEmpty else { return [] }
        let reasons = try await ProblemParcelStore.reasons(on: db)
        let times = try await ProblemParcelStore.followUpTimes(of: parcels.map(\.id), on: db)
        return parcels.map { parcel in
            ProblemParcelLink(parcel: parcel, followUps: times[parcel.id] ?? [],
                              reason: reasons.first { $0.code == parcel.reasonCode })
        }
    }

    /// Writes the link for a complaint received at `receivedAt`: the parcel's complaint and neglect, its timeline entry,
    /// and returns the complaint's timeline event.
    func record(complaintID: UUID, number: String, receivedAt: Date, by actor: Actor, services: KesuServices,
                on tx: any Database) async throws -> ComplaintEventModel {
        let rule = ProblemParcel(openedAt: parcel.openedAt, followUps: followUps)
        let neglected = rule.neglected(before: receivedAt)
        var row = parcel
        if row.complaintID == nil { row.complaintID = complaintID }
        row.neglected = row.neglected || neglected
        try await ProblemParcelStore.update(row, on: tx)
        let now = services.now()
        try await ProblemParcelStore.insert([ProblemParcelEntry(
            id: services.ids.next(), parcelID: row.id, at: now, byID: actor.userID, byName: actor.displayName,
            kind: "complaint", note: number)], on: tx)
        var fields = ["parcel": row.id.uuidString, "waybill": row.waybill, "openedAt": String(row.openedAt.millis),
                      "reasonZh": reason?.nameZh ?? row.reasonCode, "reasonEn": reason?.nameEn ?? row.reasonCode,
                      "courier": row.courierName ?? "", "followUps": String(followUps.count)]
        if neglected { fields["why"] = "neglected" }
        return ComplaintEventModel(
            id: services.ids.next(), complaintID: complaintID, at: now, actorID: nil, actorName: nil, kind: "problem_parcel",
            customerVisible: false, note: "运单 \(row.waybill) 有未结问题件" + (neglected ? "，投诉前 24 小时内无跟进" : ""),
            before: nil, after: fields)
    }
}
