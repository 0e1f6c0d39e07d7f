import Foundation
import KesuAPI
import KesuCore
import KesuStore

/// Converts between two string enums that share raw values (the generated API types and KesuCore's).
func convert<A: RawRepresentable, B: RawRepresentable>(_ value: A, to: B.Type = B.self) throws -> B
where A.RawValue == String, B.RawValue == String {
    guard let converted = B(rawValue: value.rawValue) else {
        throw KesuError(.internalError, "\(value.rawValue) has no counterpart in \(B.self)")
    }
    return converted
}

/// Reads a stored raw value into a generated enum.
func stored<B: RawRepresentable>(_ raw: String, as: B.Type = B.self) throws -> B where B.RawValue == String {
    guard let value = B(rawValue: raw) else {
        throw KesuError(.internalError, "stored value \(raw) is not a \(B.self)")
    }
    return value
}

/// Whether the actor sees customers' phone numbers whole; others see `138****5678`.
func seesFullPhone(_ actor: Actor) -> Bool {
    actor.may(.seeCustomerPhones)
}

extension Components.Schemas.UnitRef {
    init(_ unit: OrgUnitModel) throws {
        self.init(code: unit.code, name: unit.name, kind: try stored(unit.kind))
    }
}

extension Components.Schemas.User {
    init(_ user: UserModel) throws {
        self.init(username: user.username, displayName: user.displayName, role: try stored(user.role),
                  unit: try .init(user.unit), active: user.active)
    }
}

extension Components.Schemas.OrgUnit {
    init(_ unit: OrgUnitModel, parentCode: String?) throws {
        self.init(code: unit.code, name: unit.name, kind: try stored(unit.kind), parent: parentCode,
                  depth: UnitPath(rawValue: unit.path).depth)
    }
}

extension Components.Schemas.Complaint {
    /// The API form of a complaint model (customer, assignee and outlet loaded); timeline and shipments optional.
    init(_ c: ComplaintModel, for actor: Actor, timeline: [ComplaintEventModel]? = nil,
         shipments: [ShipmentModel]? = nil, clocks: [StoredClock]? = nil, now: Date = .distantPast,
         finding: ComplaintService.Finding? = nil) throws
    {
        try self.init(ComplaintRow(c), for: actor, timeline: timeline, shipments: shipments, clocks: clocks, now: now)
        responsibility = try finding.map {
            .init(party: try convert($0.party), unit: try $0.unit.map { try .init($0) }, person: $0.person,
                  reason: $0.reason, evidence: $0.evidence)
        }
    }

    /// The API form of a complaint row, as `actor` may see it.
    init(_ c: ComplaintRow, for actor: Actor, timeline: [ComplaintEventModel]? = nil,
         shipments: [ShipmentModel]? = nil, clocks: [StoredClock]? = nil, now: Date = .distantPast) throws
    {
        let fullPhone = seesFullPhone(actor)
        let status: Components.Schemas.Status = try stored(c.status)
        let coreStatus = try convert(status, to: ComplaintStatus.self)
        let heldFrom = c.heldFrom.flatMap(ComplaintStatus.init(rawValue:))
        var outlet: Components.Schemas.UnitRef?
        if let code = c.outletCode, let name = c.outletName, let kind = c.outletKind {
            outlet = .init(code: code, name: name, kind: try stored(kind))
        }
        self.init(
            number: c.number,
            status: status,
            channel: try stored(c.channel),
            category: try c.category.map { try stored($0) },
            subcategory: c.subcategory,
            priority: try stored(c.priority),
            description: c.description,
            customer: .init(
                id: c.customerID.uuidString,
                name: c.customerName,
                phone: fullPhone ? c.customerPhone : (PhoneNumber(c.customerPhone)?.masked ?? "****"),
                email: fullPhone ? c.customerEmail : nil,
                kind: c.customerKind == "business" ? .business : .individual,
                complaintCount: c.customerComplaintCount),
            waybillNumbers: c.waybills,
            receivedAt: c.receivedAt,
            updatedAt: c.updatedAt,
            assignee: c.assigneeUsername.map { .init(username: $0, displayName: c.assigneeName ?? $0) },
            outlet: outlet,
            escalationLevel: c.escalationLevel,
            flags: c.flags,
            heldFrom: try heldFrom.map { try convert($0) },
            allowedTransitions: try Lifecycle.allowed(from: coreStatus, heldFrom: heldFrom).map { try convert($0) },
            resolutionSummary: c.resolutionSummary,
            responsibleParty: try c.responsibleParty.map { try stored($0) },
            rootCause: c.rootCause,
            closedAt: c.closedAt,
            firstReplyAt: c.firstReplyAt,
            dueAt: c.dueAt,
            dueKind: c.dueKind,
            clocks: try clocks.map { try $0.map { try Components.Schemas.Clock($0, now: now) } },
            timeline: timeline.map { $0.map(Components.Schemas.Event.init) },
            shipments: try shipments.map { try $0.map(Components.Schemas.Shipment.init) })
    }
}

extension Components.Schemas.Event {
    init(_ e: ComplaintEventModel) {
        self.init(
            at: e.at, kind: e.kind, actor: nil, actorName: e.actorName, customerVisible: e.customerVisible,
            note: e.note,
            before: e.beforeFields.map { .init(additionalProperties: $0) },
            after: e.afterFields.map { .init(additionalProperties: $0) })
    }
}

extension Components.Schemas.Shipment {
    init(_ s: ShipmentModel) throws {
        self.init(
            waybillNumber: s.waybill, serviceFeeFen: s.serviceFeeFen, insuredValueFen: s.insuredValueFen,
            itemKind: s.itemKind, originOutlet: try s.origin.map { try .init($0) },
            destinationOutlet: try s.destination.map { try .init($0) }, promisedAt: s.promisedAt,
            updatedAt: s.updatedAt,
            trackingEvents: s.events.sorted { $0.at < $1.at }.map {
                .init(at: $0.at, kind: $0.kind, description: $0.description, location: $0.location)
            })
    }
}
