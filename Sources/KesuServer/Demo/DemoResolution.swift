import Fluent
import Foundation
import KesuCore
import KesuStore
import SQLKit
import Vapor

/// The demo company's investigations, rectifications and typical cases, made through the same services as a user
/// would: the Pudong outlet has questions waiting, closed complaints with systemic causes have rectifications, and
/// the supervisor has kept typical cases for delivery service, damage and delay.
enum DemoResolution {
    static func seed(_ app: Application) async throws {
        let services = app.kesu
        let db = app.db
        func actor(_ username: String) async throws -> Actor {
            guard let user = try await UserModel.query(on: db).filter(\.$username == username).with(\.$unit).first(),
                  let role = Role(rawValue: user.role), let kind = UnitKind(rawValue: user.unit.kind)
            else { throw KesuError(.internalError, "demo user \(username) missing") }
            return Actor(userID: try user.requireID(), username: user.username, displayName: user.displayName, role: role,
                         unitID: try user.unit.requireID(), unitKind: kind, unitPath: UnitPath(rawValue: user.unit.path),
                         tokenID: nil)
        }
        let agent = try await actor("agent")
        let supervisor = try await actor("supervisor")
        try await DemoMalice.seed(app, agent: agent, quality: try await actor("quality"))
        func numbers(_ status: ComplaintStatus, limit: Int) async throws -> [String] {
            try await db.sql.raw("""
                SELECT number FROM complaints WHERE status = \(bind: status.rawValue) ORDER BY number LIMIT \(bind: limit)
                """).all().map { try $0.decode(column: "number", as: String.self) }
        }
        let inquiries = InquiryService(services: services, db: db)
        let questions = ["请提供包裹到站时的外包装照片", "请调取派送员当天的通话记录", "请核实签收人和签收时间"]
        for (i, number) in try await numbers(.investigating, limit: 3).enumerated() {
            _ = try await inquiries.ask(number, unitCode: i == 2 ? "TC-SH" : "SH-PD", question: questions[i], dueAt: nil,
                                        by: agent)
        }
        // Rectifications for closed complaints whose cause is systemic, owned by their outlet (else the Shanghai
        // transfer centre).
        let systemic = try await RootCauseStore.list(activeOnly: true, on: db).filter(\.systemic).map(\.name)
        let closed = try await db.sql.raw("""
            SELECT c.id, c.root_cause, u.id AS unit_id, u.path FROM complaints c
            LEFT JOIN org_units u ON u.id = COALESCE(c.outlet_id, (SELECT id FROM org_units WHERE code = 'TC-SH'))
            WHERE c.status = 'closed' AND c.root_cause IN (\(binds: systemic)) ORDER BY c.number LIMIT 3
            """).all()
        let now = services.now()
        for (i, row) in closed.enumerated() {
            let cause = try row.decode(column: "root_cause", as: String.self)
            let rectification = RectificationRow(
                id: services.ids.next(), complaintID: try row.decode(column: "id", as: UUID.self), rootCause: cause,
                action: "针对「\(cause)」制定并落实整改措施，防止同类投诉再次发生",
                ownerUnitID: try row.decode(column: "unit_id", as: UUID.self),
                ownerUnitPath: try row.decode(column: "path", as: String.self),
                dueAt: now.addingTimeInterval(Double(i * 10 - 5) * 86_400), createdByName: supervisor.displayName,
                createdAt: now.addingTimeInterval(-20 * 86_400))
            try await RectificationStore.insert(rectification, on: db)
        }
        let closure = ClosureService(services: services, db: db)
        let lessons: [(ComplaintCategory, String)] = [
            (.deliveryService, "派送前务必电话联系客户，无人签收时按约定处理，不得随意放置。"),
            (.damage, "易碎品须检查包装并提醒加固，到站发现破损应拍照登记。"),
            (.delay, "干线延误要主动告知客户预计到达时间，不要等客户来问。"),
        ]
        for (category, lesson) in lessons {
            let row = try await db.sql.raw("""
                SELECT number FROM complaints WHERE status = 'closed' AND category = \(bind: category.rawValue)
                ORDER BY number LIMIT 1
                """).first()
            if let number = try row?.decode(column: "number", as: String.self) {
                try await closure.markTypical(number, lesson: lesson, by: supervisor)
            }
        }
    }
}
