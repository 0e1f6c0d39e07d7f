import Fluent
import Foundation
import KesuAPI
import KesuCore
import KesuStore
import Vapor

extension APIHandler {
    // MARK: Shipments

    package func putShipment(_ input: Operations.PutShipment.Input) async throws -> Operations.PutShipment.Output {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let shipment = ShipmentInput(
            serviceFeeFen: body.serviceFeeFen, insuredValueFen: body.insuredValueFen, itemKind: body.itemKind,
            originOutlet: body.originOutlet, destinationOutlet: body.destinationOutlet, promisedAt: body.promisedAt,
            scans: body.trackingEvents.map { .init(at: $0.at, kind: $0.kind, description: $0.description, location: $0.location) })
        let stored = try await ShipmentService(services: app.kesu, db: try db).put(input.path.waybill, shipment, by: actor)
        return .ok(.init(body: .json(try .init(stored))))
    }

    package func getShipment(_ input: Operations.GetShipment.Input) async throws -> Operations.GetShipment.Output {
        let actor = try RequestContext.requireActor()
        try actor.require(.viewShipments)
        let waybill = try ShipmentService.normalise(input.path.waybill)
        guard let shipment = try await ShipmentService.load(waybills: [waybill], on: try db).first else {
            throw KesuError.notFound("No shipment \(waybill).")
        }
        return .ok(.init(body: .json(try .init(shipment))))
    }

    // MARK: Organisation and users

    package func listUnits(_ input: Operations.ListUnits.Input) async throws -> Operations.ListUnits.Output {
        _ = try RequestContext.requireActor()
        let units = try await OrgStore.all(on: try db)
        let codes = Dictionary(uniqueKeysWithValues: units.compactMap { u in u.id.map { ($0, u.code) } })
        let body = try units.map { try Components.Schemas.OrgUnit($0, parentCode: $0.parentID.flatMap { codes[$0] }) }
        return .ok(.init(body: .json(body)))
    }

    package func createUnit(_ input: Operations.CreateUnit.Input) async throws -> Operations.CreateUnit.Output {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let unit = try await OrgService(app: app, db: try db, as: .staff(actor))
            .createUnit(code: body.code, name: body.name, kind: try convert(body.kind), parentCode: body.parent)
        return .created(.init(body: .json(try .init(unit, parentCode: body.parent))))
    }

    package func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output {
        let actor = try RequestContext.requireActor()
        try actor.require(.viewUsers)
        let users = try await UserModel.query(on: try db).with(\.$unit).sort(\.$username).all()
        return .ok(.init(body: .json(try users.map(Components.Schemas.User.init))))
    }

    package func createUser(_ input: Operations.CreateUser.Input) async throws -> Operations.CreateUser.Output {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let user = try await OrgService(app: app, db: try db, as: .staff(actor)).createUser(
            username: body.username, displayName: body.displayName, password: body.password,
            role: try convert(body.role), unitCode: body.unit)
        return .created(.init(body: .json(try .init(user))))
    }

    package func updateUser(_ input: Operations.UpdateUser.Input) async throws -> Operations.UpdateUser.Output {
        let actor = try RequestContext.requireActor()
        guard case .json(let body) = input.body else { throw KesuError.invalid("Send JSON.") }
        let user = try await OrgService(app: app, db: try db, as: .staff(actor)).updateUser(
            input.path.username, displayName: body.displayName, password: body.password,
            role: try body.role.map { try convert($0) }, unitCode: body.unit, active: body.active)
        return .ok(.init(body: .json(try .init(user))))
    }

    package func revokeUserTokens(_ input: Operations.RevokeUserTokens.Input) async throws
        -> Operations.RevokeUserTokens.Output
    {
        let actor = try RequestContext.requireActor()
        let count = try await OrgService(app: app, db: try db, as: .staff(actor)).revokeTokens(of: input.path.username)
        return .ok(.init(body: .json(.init(revoked: count))))
    }
}

extension APIHandler {
    package func listCategories(_ input: Operations.ListCategories.Input) async throws
        -> Operations.ListCategories.Output
    {
        _ = try RequestContext.requireActor()
        let subs = try await SubcategoryStore.all(on: try db)
        let body = try ComplaintCategory.allCases.map { category in
            Components.Schemas.CategoryInfo(
                code: try stored(category.rawValue), nameZh: Language.zh.name(of: category),
                nameEn: Language.en.name(of: category),
                subcategories: subs.filter { $0.category == category.rawValue }.map {
                    .init(code: $0.code, nameZh: $0.nameZh, nameEn: $0.nameEn, active: $0.active)
                })
        }
        return .ok(.init(body: .json(body)))
    }
}
