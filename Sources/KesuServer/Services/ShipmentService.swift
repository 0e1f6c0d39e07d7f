import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// A shipment as the operations system pushes it.
package struct ShipmentInput: Sendable {
    package struct Scan: Sendable {
        package var at: Date
        package var kind: String
        package var description: String?
        package var location: String?
        package init(at: Date, kind: String, description: String?, location: String?) {
            self.at = at
            self.kind = kind
            self.description = description
            self.location = location
        }
    }
    package var serviceFeeFen: Int64
    package var insuredValueFen: Int64?
    package var itemKind: String
    package var originOutlet: String?
    package var destinationOutlet: String?
    package var promisedAt: Date?
    package var scans: [Scan]

    package init(serviceFeeFen: Int64, insuredValueFen: Int64?, itemKind: String, originOutlet: String?,
                 destinationOutlet: String?, promisedAt: Date?, scans: [Scan]) {
        self.serviceFeeFen = serviceFeeFen
        self.insuredValueFen = insuredValueFen
        self.itemKind = itemKind
        self.originOutlet = originOutlet
        self.destinationOutlet = destinationOutlet
        self.promisedAt = promisedAt
        self.scans = scans
    }
}

/// Shipments and their tracking, upserted whole from the operations system.
package struct ShipmentService: Sendable {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    /// The waybill number in its stored form, or a 400.
    package static func normalise(_ waybill: String) throws -> String {
        guard let w = WaybillNumber.normalise(waybill) else {
            throw KesuError.invalid("\(waybill.prefix(40)) is not a waybill number (6–32 letters and digits).",
                                    fields: ["waybill": ["malformed"]])
        }
        return w
    }

    /// Creates or replaces the shipment and its tracking events in one transaction.
    package func put(_ waybill: String, _ input: ShipmentInput, by actor: Actor) async throws -> ShipmentModel {
        try actor.require(.pushShipments)
        let waybill = try Self.normalise(waybill)
        var problems = ValidationProblems()
        if input.serviceFeeFen < 0 { problems.add("serviceFeeFen", "must not be negative") }
        if let v = input.insuredValueFen, v < 0 { problems.add("insuredValueFen", "must not be negative") }
        if !(1...40).contains(input.itemKind.trimmed.count) { problems.add("itemKind", "1 to 40 characters") }
        if input.scans.count > 500 { problems.add("trackingEvents", "at most 500") }
        for (i, scan) in input.scans.enumerated() where !(1...40).contains(scan.kind.trimmed.count)
            || (scan.description?.count ?? 0) > 500 || (scan.location?.count ?? 0) > 200 {
            problems.add("trackingEvents.\(i)", "kind 1–40 characters, description ≤ 500, location ≤ 200")
        }
        func unit(_ code: String?, _ field: String) async throws -> UUID? {
            guard let code, !code.isEmpty else { return nil }
            guard let unit = try await OrgStore.find(code: code, on: db) else {
                problems.add(field, "no unit \(code.prefix(40))")
                return nil
            }
            return unit.id
        }
        let origin = try await unit(input.originOutlet, "originOutlet")
        let destination = try await unit(input.destinationOutlet, "destinationOutlet")
        try problems.throwIfAny("The shipment cannot be stored")
        let now = services.now()
        let ids = services.ids
        let id = try await services.writer.write(on: db) { tx in
            let shipment = try await ShipmentModel.query(on: tx).filter(\.$waybill == waybill).first() ?? ShipmentModel()
            let isNew = shipment.id == nil
            if isNew { shipment.id = ids.next() }
            shipment.waybill = waybill
            shipment.serviceFeeFen = input.serviceFeeFen
            shipment.insuredValueFen = input.insuredValueFen
            shipment.itemKind = input.itemKind.trimmed
            shipment.$origin.id = origin
            shipment.$destination.id = destination
            shipment.promisedAt = input.promisedAt?.roundedToMillis
            shipment.updatedAt = now
            if isNew { try await shipment.create(on: tx) } else { try await shipment.update(on: tx) }
            let shipmentID = try shipment.requireID()
            try await TrackingEventModel.query(on: tx).filter(\.$shipment.$id == shipmentID).delete()
            let scans = input.scans.map {
                TrackingEventModel(id: ids.next(), shipmentID: shipmentID, at: $0.at.roundedToMillis, kind: $0.kind.trimmed,
                                   description: $0.description, location: $0.location)
            }
            if !scans.isEmpty { try await scans.create(on: tx) }
            return shipmentID
        }
        guard let stored = try await Self.load(ids: [id], on: db).first else {
            throw KesuError(.internalError, "shipment \(waybill) vanished")
        }
        return stored
    }

    /// Shipments with their units and tracking events loaded.
    package static func load(waybills: [String], on db: any Database) async throws -> [ShipmentModel] {
        guard !waybills.isEmpty else { return [] }
        return try await ShipmentModel.query(on: db).filter(\.$waybill ~~ waybills)
            .with(\.$origin).with(\.$destination).with(\.$events).all()
    }

    static func load(ids: [UUID], on db: any Database) async throws -> [ShipmentModel] {
        try await ShipmentModel.query(on: db).filter(\.$id ~~ ids)
            .with(\.$origin).with(\.$destination).with(\.$events).all()
    }
}
