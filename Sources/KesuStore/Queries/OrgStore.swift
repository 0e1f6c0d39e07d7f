import FluentKit
import Foundation

/// The organisation tree.
package enum OrgStore {
    /// The root unit's path (HQ); complaints routed to no outlet are scoped to it.
    package static func rootPath(on db: any Database) async throws -> String {
        guard let root = try await OrgUnitModel.query(on: db).filter(\.$parentID == nil).sort(\.$createdAt).first() else {
            throw KesuStoreError("the organisation has no root unit")
        }
        return root.path
    }

    /// Every unit, parents before children.
    package static func all(on db: any Database) async throws -> [OrgUnitModel] {
        try await OrgUnitModel.query(on: db).sort(\.$path).all()
    }

    package static func find(code: String, on db: any Database) async throws -> OrgUnitModel? {
        try await OrgUnitModel.query(on: db).filter(\.$code == code).first()
    }

    /// Inserts a unit under `parent` (nil for the root), deriving its path.
    package static func create(id: UUID, code: String, name: String, kind: String, parent: OrgUnitModel?, now: Date,
                               on db: any Database) async throws -> OrgUnitModel
    {
        let key = id.uuidString.lowercased()
        let path = parent.map { $0.path + key + "/" } ?? "/\(key)/"
        let unit = OrgUnitModel(id: id, code: code, name: name, kind: kind, parentID: parent?.id, path: path,
                                createdAt: now)
        try await unit.create(on: db)
        return unit
    }
}
