import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// The first run on an empty database: the demo company (`serve --demo`) or a bare HQ with one admin.
package enum Bootstrap {
    /// A login to print.
    package struct Login: Sendable {
        package let username: String
        package let password: String
        package let role: Role
        package let unit: String
    }

    /// The password every demo user has.
    package static let demoPassword = "kesu-demo-2026"

    /// Prepares an empty database; does nothing to one that has units already. Returns the logins to print.
    package static func run(_ app: Application, demo: Bool) async throws -> [Login] {
        let db = app.db
        if try await OrgUnitModel.query(on: db).count() > 0 {
            if demo, try await UserModel.query(on: db).filter(\.$username == "agent").first() != nil {
                return demoUsers.map { Login(username: $0.username, password: demoPassword, role: $0.role, unit: $0.unit) }
            }
            return []
        }
        let org = OrgService(app: app, db: db, as: .system)
        if !demo {
            _ = try await org.createUnit(code: "HQ", name: "总部", kind: .hq, parentCode: nil)
            let password = app.kesu.config.adminPassword ?? randomPassword()
            _ = try await org.createUser(username: "admin", displayName: "管理员", password: password, role: .admin,
                                         unitCode: "HQ")
            return [Login(username: "admin", password: app.kesu.config.adminPassword == nil ? password : "(KESU_ADMIN_PASSWORD)",
                          role: .admin, unit: "HQ")]
        }
        var logins = try await seedDemoOrganisation(app)
        let adminPassword = app.kesu.config.adminPassword ?? demoPassword
        _ = try await org.createUser(username: "admin", displayName: "系统管理员", password: adminPassword, role: .admin,
                                     unitCode: "HQ")
        logins.insert(Login(username: "admin", password: adminPassword, role: .admin, unit: "HQ"), at: 0)
        var generator = DemoComplaints(app: app, seed: 20261124)
        try await generator.generate(count: 48, spreadDays: 45)
        try await DemoResolution.seed(app)
        try await DemoParcels.seed(app)
        try await DemoFines.seed(app)
        return logins
    }

    /// Creates the demo company's units and users (not the admin); returns their logins.
    package static func seedDemoOrganisation(_ app: Application) async throws -> [Login] {
        let org = OrgService(app: app, db: app.db, as: .system)
        for unit in demoUnits {
            _ = try await org.createUnit(code: unit.code, name: unit.name, kind: unit.kind, parentCode: unit.parent)
        }
        var logins: [Login] = []
        for user in demoUsers {
            _ = try await org.createUser(username: user.username, displayName: user.name, password: demoPassword,
                                         role: user.role, unitCode: user.unit)
            logins.append(Login(username: user.username, password: demoPassword, role: user.role, unit: user.unit))
        }
        return logins
    }

    static func randomPassword() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var rng = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
    }

    struct DemoUnit {
        let code: String, name: String, kind: UnitKind, parent: String?
    }

    static let demoUnits: [DemoUnit] = [
        .init(code: "HQ", name: "总部", kind: .hq, parent: nil),
        .init(code: "R-EAST", name: "华东大区", kind: .region, parent: "HQ"),
        .init(code: "R-SOUTH", name: "华南大区", kind: .region, parent: "HQ"),
        .init(code: "TC-SH", name: "上海转运中心", kind: .transferCentre, parent: "R-EAST"),
        .init(code: "SH-PD", name: "上海浦东网点", kind: .outlet, parent: "R-EAST"),
        .init(code: "HZ-XH", name: "杭州西湖网点", kind: .outlet, parent: "R-EAST"),
        .init(code: "GZ-TH", name: "广州天河网点", kind: .outlet, parent: "R-SOUTH"),
        .init(code: "SH-PD-C01", name: "快递员 王强", kind: .courier, parent: "SH-PD"),
        .init(code: "SH-PD-C02", name: "快递员 李军", kind: .courier, parent: "SH-PD"),
        .init(code: "HZ-XH-C01", name: "快递员 陈磊", kind: .courier, parent: "HZ-XH"),
        .init(code: "GZ-TH-C01", name: "快递员 黄志明", kind: .courier, parent: "GZ-TH"),
    ]

    struct DemoUser {
        let username: String, name: String, role: Role, unit: String
    }

    static let demoUsers: [DemoUser] = [
        .init(username: "agent", name: "客服 李娜", role: .agent, unit: "HQ"),
        .init(username: "agent2", name: "客服 周婷", role: .agent, unit: "HQ"),
        .init(username: "supervisor", name: "主管 张伟", role: .supervisor, unit: "HQ"),
        .init(username: "outlet-pd", name: "浦东网点 刘洋", role: .outlet, unit: "SH-PD"),
        .init(username: "outlet-th", name: "天河网点 何敏", role: .outlet, unit: "GZ-TH"),
        .init(username: "courier-pd", name: "快递员 王强", role: .outlet, unit: "SH-PD-C01"),
        .init(username: "region-east", name: "华东质控 吴刚", role: .quality, unit: "R-EAST"),
        .init(username: "claims", name: "理赔 孙丽", role: .claims, unit: "HQ"),
        .init(username: "quality", name: "质控 赵敏", role: .quality, unit: "HQ"),
        .init(username: "quality2", name: "质控 钱程", role: .quality, unit: "HQ"),
        .init(username: "ops-system", name: "运营系统对接", role: .system, unit: "HQ"),
    ]
}
