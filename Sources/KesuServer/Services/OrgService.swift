import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// Organisation units and staff users: what admins manage. Each change is checked here, for the pages and the API
/// alike: creating units needs `manageOrganisation`, creating and changing users `manageUsers`.
package struct OrgService: Sendable {
    /// Who makes the change: a staff user, whose role must allow it, or Kesu itself (the first start, the `user`
    /// command, the demo company).
    package enum Acting: Sendable {
        case staff(Actor)
        case system
    }

    let app: Application
    let db: any Database
    let acting: Acting

    package init(app: Application, db: any Database, as acting: Acting) {
        self.app = app
        self.db = db
        self.acting = acting
    }

    /// Asks the access policy; the system itself (bootstrap, the demo) may do anything.
    private func require(_ permission: Permission, on subject: Subject = .organisation) throws {
        if case .staff(let actor) = acting { try actor.require(permission, on: subject) }
    }

    /// Adds a unit; the root (HQ) needs no parent, every other unit one whose kind may hold it.
    package func createUnit(code: String, name: String, kind: UnitKind, parentCode: String?) async throws
        -> OrgUnitModel
    {
        try require(.manageOrganisation)
        var problems = ValidationProblems()
        let code = code.trimmed, name = name.trimmed
        if !(1...32).contains(code.count) || !code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            problems.add("code", "1 to 32 letters, digits, - or _")
        }
        if !(1...60).contains(name.count) { problems.add("name", "1 to 60 characters") }
        try problems.throwIfAny("The unit cannot be created")
        var parent: OrgUnitModel?
        if let parentCode {
            guard let p = try await OrgStore.find(code: parentCode, on: db) else {
                throw KesuError.invalid("No unit \(parentCode.prefix(40)).", fields: ["parent": ["unknown unit"]])
            }
            try require(.manageOrganisation, on: .owned(by: p.path))
            guard let parentKind = UnitKind(rawValue: p.kind), parentKind.allowedChildren.contains(kind) else {
                throw KesuError.invalid("A \(kind.rawValue) cannot sit under a \(p.kind).", fields: ["kind": ["not allowed here"]])
            }
            parent = p
        } else {
            guard kind == .hq else {
                throw KesuError.invalid("Every unit but HQ needs a parent.", fields: ["parent": ["required"]])
            }
            if try await OrgUnitModel.query(on: db).filter(\.$parentID == nil).first() != nil {
                throw KesuError.conflict("There is already an HQ.")
            }
        }
        if try await OrgStore.find(code: code, on: db) != nil {
            throw KesuError.conflict("A unit with code \(code) exists already.")
        }
        let services = app.kesu
        let parentUnit = parent
        return try await services.writer.write(on: db) { tx in
            try await OrgStore.create(id: services.ids.next(), code: code, name: name, kind: kind.rawValue,
                                      parent: parentUnit, now: services.now(), on: tx)
        }
    }

    /// Adds a staff user in a unit.
    package func createUser(username: String, displayName: String, password: String, role: Role, unitCode: String)
        async throws -> UserModel
    {
        try require(.manageUsers)
        var problems = ValidationProblems()
        let username = username.trimmed, displayName = displayName.trimmed
        if !(2...40).contains(username.count)
            || !username.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) {
            problems.add("username", "2 to 40 letters, digits, '.', '_' or '-'")
        }
        if !(1...40).contains(displayName.count) { problems.add("displayName", "1 to 40 characters") }
        if !(8...72).contains(password.utf8.count) { problems.add("password", "8 to 72 bytes") }
        try problems.throwIfAny("The user cannot be created")
        guard let unit = try await OrgStore.find(code: unitCode, on: db) else {
            throw KesuError.invalid("No unit \(unitCode.prefix(40)).", fields: ["unit": ["unknown unit"]])
        }
        try require(.manageUsers, on: .owned(by: unit.path))
        if try await UserModel.query(on: db).filter(\.$username == username).first() != nil {
            throw KesuError.conflict("The username \(username) is taken.")
        }
        let hash = try await AuthService(app: app).hashPassword(password)
        let services = app.kesu
        let user = UserModel(id: services.ids.next(), username: username, displayName: displayName, passwordHash: hash,
                             role: role.rawValue, unitID: try unit.requireID(), createdAt: services.now())
        try await services.writer.write(on: db) { try await user.create(on: $0) }
        user.$unit.value = unit
        return user
    }

    /// Logs a user out everywhere; how many tokens were revoked.
    package func revokeTokens(of username: String) async throws -> Int {
        try require(.manageUsers)
        guard let user = try await UserModel.query(on: db).filter(\.$username == username).with(\.$unit).first() else {
            throw KesuError.notFound("No user \(username.prefix(40)).")
        }
        try require(.manageUsers, on: .owned(by: user.unit.path))
        return try await AuthService(app: app).revoke(userID: try user.requireID(), on: db)
    }

    /// Changes a user; disabling one or changing a password revokes their tokens.
    package func updateUser(_ username: String, displayName: String?, password: String?, role: Role?,
                            unitCode: String?, active: Bool?) async throws -> UserModel
    {
        try require(.manageUsers)
        if case .staff(let actor) = acting, actor.username == username, active == false {
            throw KesuError.refused("You cannot disable your own account.", fields: ["active": ["your own account"]])
        }
        guard let user = try await UserModel.query(on: db).filter(\.$username == username).with(\.$unit).first() else {
            throw KesuError.notFound("No user \(username.prefix(40)).")
        }
        try require(.manageUsers, on: .owned(by: user.unit.path))
        if let displayName {
            guard (1...40).contains(displayName.trimmed.count) else {
                throw KesuError.invalid("A display name is 1 to 40 characters.", fields: ["displayName": ["1 to 40"]])
            }
            user.displayName = displayName.trimmed
        }
        if let role { user.role = role.rawValue }
        if let unitCode {
            guard let unit = try await OrgStore.find(code: unitCode, on: db) else {
                throw KesuError.invalid("No unit \(unitCode.prefix(40)).", fields: ["unit": ["unknown unit"]])
            }
            try require(.manageUsers, on: .owned(by: unit.path))
            user.$unit.id = try unit.requireID()
            user.$unit.value = unit
        }
        if let password { user.passwordHash = try await AuthService(app: app).hashPassword(password) }
        if let active { user.active = active }
        try await app.kesu.writer.write(on: db) { try await user.update(on: $0) }
        if password != nil || active == false {
            _ = try await AuthService(app: app).revoke(userID: try user.requireID(), on: db)
        }
        return user
    }
}
