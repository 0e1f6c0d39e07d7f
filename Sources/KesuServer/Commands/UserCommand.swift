import KesuStore
import Fluent
import Foundation
import KesuCore
import Vapor

/// `kesu user create --username … --password … --role … --unit … [--name …]` — adds a staff user.
struct UserCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "create")
        var action: String
        @Option(name: "username", help: "Login name.")
        var username: String?
        @Option(name: "password", help: "8 to 72 bytes.")
        var password: String?
        @Option(name: "role", help: "agent, supervisor, outlet, claims, quality, admin or system.")
        var role: String?
        @Option(name: "unit", help: "The code of the user's organisation unit (default HQ).")
        var unit: String?
        @Option(name: "name", help: "The name staff see (default: the username).")
        var name: String?
        init() {}
    }

    var help: String { "Manages staff users: kesu user create --username NAME --password PW --role ROLE --unit CODE" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "create" else { throw KesuError.invalid("Unknown action \(signature.action); try create.") }
        guard let username = signature.username, let password = signature.password,
              let roleName = signature.role
        else { throw KesuError.invalid("create needs --username, --password and --role.") }
        guard let role = Role(rawValue: roleName) else {
            throw KesuError.invalid("Unknown role \(roleName); one of \(Role.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let app = context.application
        _ = try await Bootstrap.run(app, demo: false)
        let user = try await OrgService(app: app, db: app.db, as: .system).createUser(
            username: username, displayName: signature.name ?? username, password: password, role: role,
            unitCode: signature.unit ?? "HQ")
        context.console.print("Created \(user.username) (\(role.rawValue)) in \(user.unit.code).")
    }
}
