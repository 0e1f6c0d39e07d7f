import Fluent
import Foundation
import KesuCore
import KesuStore
import Vapor

/// The demo company's customer with malicious-complainant signals under review: seed 003's washing-machine customer,
/// who complained five times in six weeks about four waybills, demanding money and threatening to escalate. HQ's
/// quality officer has opened a review; nobody has decided it.
enum DemoMalice {
    static let texts = [
        "洗衣机三天没送到，要求赔偿。", "业务员上门道歉了，但还要赔偿 300 元。", "退款没到账，不赔偿就升级投诉！",
        "要求赔偿 5000 元，否则去媒体曝光。", "又一个快递没送到，快递员态度差。",
    ]

    static func seed(_ app: Application, agent: Actor, quality: Actor) async throws {
        let services = app.kesu
        let complaints = ComplaintService(services: services, db: app.db)
        let now = services.now()
        var customerID: UUID?
        for (i, text) in texts.enumerated() {
            let draft = ComplaintDraft(channel: .phone, customerName: "钱先生", customerPhone: "13966660003",
                                       waybillNumbers: ["YT88800000\(min(i, 3) + 1)"], description: text,
                                       receivedAt: now.addingTimeInterval(Double(i - 5) * 8 * 86_400))
            let complaint = try await complaints.record(draft, idempotencyKey: nil, by: agent)
            customerID = complaint.$customer.id
        }
        guard let customerID else { return }
        _ = try await CustomerReviewService(services: services, db: app.db)
            .open(customerID, reason: "近两个月多次以升级投诉、媒体曝光索要赔偿，请复核", by: quality)
    }
}
