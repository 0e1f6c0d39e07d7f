import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// 管理 — admins manage users and roles, organisation units, sub-categories and canned replies from the pages.
struct AdminController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let admin = routes.grouped("admin")
        admin.get(use: users)
        admin.post("users", use: createUser)
        admin.post("users", ":username", use: updateUser)
        admin.get("units", use: units)
        admin.post("units", use: createUnit)
        admin.get("canned", use: canned)
        admin.post("canned", use: saveCanned)
        admin.get("categories", use: categories)
        admin.post("categories", use: saveSubcategory)
    }

    struct UserRow: Encodable { var username, name, role, unit: String; var active: Bool; var roles: [Choice]; var units: [Choice] }
    struct UnitRow: Encodable { var code, name, kind: String; var indent: Int }
    struct CannedRow: Encodable { var id, title, body: String }
    struct SubRow: Encodable { var code, nameZh, nameEn: String; var active: Bool }
    struct CategoryRow: Encodable { var code, name: String; var subs: [SubRow] }
    struct AdminPage: Encodable {
        var chrome: PageChrome
        var section: String
        var message: String?
        var users: [UserRow] = []
        var units: [UnitRow] = []
        var canned: [CannedRow] = []
        var categories: [CategoryRow] = []
        var categoryChoices: [Choice] = []
        var roles: [Choice] = []
        var unitChoices: [Choice] = []
        var kinds: [Choice] = []
    }

    private func requireAdmin(_ permission: Permission = .manageUsers) throws -> Actor {
        let actor = try RequestContext.requireActor()
        try actor.require(permission)
        return actor
    }

    private func page(_ req: Request, section: String, message: String? = nil) async throws -> AdminPage {
        // Each section asks for what its changes need: the unit tree `manageOrganisation`, the rest `manageUsers`.
        let actor = try requireAdmin(section == "units" ? .manageOrganisation : .manageUsers)
        let language = WebSession.language(req)
        let allUnits = try await OrgStore.all(on: req.db)
        let unitChoices = allUnits.map { Choice(value: $0.code, label: "\($0.name) (\($0.code))", selected: false) }
        let roles = Role.allCases.map { Choice(value: $0.rawValue, label: language.name(of: $0), selected: false) }
        var page = AdminPage(chrome: Pages.chrome(req, title: language.strings["admin"] ?? "", actor: actor),
                             section: section, message: message, roles: roles, unitChoices: unitChoices,
                             kinds: UnitKind.allCases.filter { $0 != .hq }.map { Choice(value: $0.rawValue, label: $0.rawValue, selected: false) })
        switch section {
        case "units":
            page.units = allUnits.map {
                UnitRow(code: $0.code, name: $0.name, kind: $0.kind, indent: UnitPath(rawValue: $0.path).depth - 1)
            }
        case "canned":
            page.canned = try await CannedReplyModel.query(on: req.db).sort(\.$position).all().compactMap { c in
                c.id.map { CannedRow(id: $0.uuidString, title: c.title, body: c.body) }
            }
        case "categories":
            let subs = try await SubcategoryStore.all(on: req.db)
            page.categories = ComplaintCategory.allCases.map { category in
                CategoryRow(code: category.rawValue, name: "\(WebSession.language(req).name(of: category)) · \(category.rawValue)",
                            subs: subs.filter { $0.category == category.rawValue }.map {
                                SubRow(code: $0.code, nameZh: $0.nameZh, nameEn: $0.nameEn, active: $0.active)
                            })
            }
            page.categoryChoices = ComplaintCategory.allCases.map {
                Choice(value: $0.rawValue, label: language.name(of: $0), selected: false)
            }
        default:
            let users = try await UserModel.query(on: req.db).with(\.$unit).sort(\.$username).all()
            page.users = users.map { u in
                UserRow(username: u.username, name: u.displayName, role: u.role, unit: u.unit.code, active: u.active,
                        roles: roles.map { Choice(value: $0.value, label: $0.label, selected: $0.value == u.role) },
                        units: unitChoices.map { Choice(value: $0.value, label: $0.label, selected: $0.value == u.unit.code) })
            }
        }
        return page
    }

    @Sendable func users(req: Request) async throws -> View {
        try await req.view.render("admin/index", try await page(req, section: "users"))
    }

    @Sendable func units(req: Request) async throws -> View {
        try await req.view.render("admin/index", try await page(req, section: "units"))
    }

    @Sendable func canned(req: Request) async throws -> View {
        try await req.view.render("admin/index", try await page(req, section: "canned"))
    }

    @Sendable func categories(req: Request) async throws -> View {
        try await req.view.render("admin/index", try await page(req, section: "categories"))
    }

    @Sendable func createUser(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var username, name, password, role, unit: String }
        let form = try req.content.decode(Form.self)
        guard let role = Role(rawValue: form.role) else { throw KesuError.invalid("Unknown role.") }
        _ = try await OrgService(app: req.application, db: req.db, as: .staff(actor)).createUser(
            username: form.username, displayName: form.name, password: form.password, role: role, unitCode: form.unit)
        return req.redirect(to: "/admin")
    }

    @Sendable func updateUser(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var role: String?, unit: String?, active: String?, password: String? }
        let form = try req.content.decode(Form.self)
        let username = req.parameters.get("username") ?? ""
        let active = form.active == "1"
        _ = try await OrgService(app: req.application, db: req.db, as: .staff(actor)).updateUser(
            username, displayName: nil, password: (form.password ?? "").isEmpty ? nil : form.password,
            role: form.role.flatMap(Role.init(rawValue:)), unitCode: form.unit, active: active)
        return req.redirect(to: "/admin")
    }

    @Sendable func createUnit(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        let actor = try RequestContext.requireActor()
        struct Form: Decodable { var code, name, kind, parent: String }
        let form = try req.content.decode(Form.self)
        guard let kind = UnitKind(rawValue: form.kind) else { throw KesuError.invalid("Unknown kind of unit.") }
        _ = try await OrgService(app: req.application, db: req.db, as: .staff(actor))
            .createUnit(code: form.code, name: form.name, kind: kind, parentCode: form.parent)
        return req.redirect(to: "/admin/units")
    }

    /// Adds a canned reply, or changes one (`id` given), or removes one (empty body).
    @Sendable func saveCanned(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        struct Form: Decodable { var id: String?, title: String, body: String }
        let form = try req.content.decode(Form.self)
        try await ReferenceDataService(services: req.application.kesu, db: req.db).saveCannedReply(
            id: form.id.flatMap(UUID.init(uuidString:)), title: form.title, body: form.body,
            by: try RequestContext.requireActor())
        return req.redirect(to: "/admin/canned")
    }

    /// Adds a sub-category (`category` given), or renames, retires or restores one (`code` of an existing one).
    @Sendable func saveSubcategory(req: Request) async throws -> Response {
        try WebSession.checkCSRF(req)
        struct Form: Decodable { var code: String, nameZh: String, nameEn: String, category: String?, active: String? }
        let form = try req.content.decode(Form.self)
        try await ReferenceDataService(services: req.application.kesu, db: req.db).saveSubcategory(
            code: form.code, nameZh: form.nameZh, nameEn: form.nameEn, category: form.category,
            active: form.active == "1", by: try RequestContext.requireActor())
        return req.redirect(to: "/admin/categories")
    }
}
