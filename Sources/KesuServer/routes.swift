import Fluent
import SQLKit
import Foundation
import KesuAPI
import KesuCore
import OpenAPIRuntime
import OpenAPIVapor
import Vapor

/// Registers `/health`, the OpenAPI document, and the generated API handlers under `/api/v1`.
package func routes(_ app: Application) throws {
    app.get("health") { req async throws -> Response in
        do {
            if let sql = req.db as? any SQLDatabase { try await sql.raw("SELECT 1").run() }
            return try await HealthStatus(status: "ok", database: app.kesu.config.usesPostgres ? "postgresql" : "sqlite")
                .encodeResponse(for: req)
        } catch {
            req.logger.error("health check failed: \(String(reflecting: error))")
            let response = try await HealthStatus(status: "database unreachable", database: "down").encodeResponse(for: req)
            response.status = .serviceUnavailable
            return response
        }
    }

    let document = try OpenAPIDocument.load()
    app.get("api", "openapi.yaml") { _ in
        Response(status: .ok, headers: ["Content-Type": "application/yaml; charset=utf-8"], body: .init(data: document))
    }

    // Staff pages: server-rendered, with security headers and errors shown as pages.
    let pages = app.grouped(PageSecurityMiddleware()).grouped(WebErrorMiddleware())
        .grouped(InputScreeningMiddleware(maxBodyBytes: app.kesu.config.maxBodyBytes,
                                          // the largest multipart route: an investigation's answer with five files
                                          maxMultipartBytes: 5 * AttachmentsController.uploadLimit.value))
    try pages.register(collection: LoginController())
    try pages.register(collection: PortalController())
    try pages.register(collection: AttachmentsController(forCustomers: true))
    let staff = pages.grouped(WebAuthMiddleware())
    try staff.register(collection: WorkListPageController())
    try staff.register(collection: ComplaintPagesController())
    try staff.register(collection: IntakePageController())
    try staff.register(collection: AttachmentsController(forCustomers: false))
    try staff.register(collection: AdminController())
    try staff.register(collection: AdminRulesController())
    try staff.register(collection: ClockPagesController())
    try staff.register(collection: InvestigationPagesController())
    try staff.register(collection: ResolutionPagesController())
    try staff.register(collection: JobsPageController())
    try staff.register(collection: OutboxPageController())
    try staff.register(collection: NoticeTemplatesController())
    try staff.register(collection: ProblemParcelPagesController())
    try staff.register(collection: AdminParcelsController())
    try staff.register(collection: FinePagesController())
    try staff.register(collection: OutletHomeController())
    try staff.register(collection: PerformancePagesController())
    try staff.register(collection: CustomerReviewPagesController())
    try staff.register(collection: AdminFinesController())
    try staff.register(collection: FineStatementPagesController())

    // Platforms' webhooks: signed over the raw body, so read before any decoding.
    try app.grouped(BodyLimitMiddleware(maxBytes: 1 << 20)).register(collection: PlatformWebhookController())
    try app.grouped(BodyLimitMiddleware(maxBytes: 1 << 20)).register(collection: WeChatCallbackController())
    let api = app.grouped(BodyLimitMiddleware(maxBytes: app.kesu.config.maxBodyBytes))
        .grouped(InputScreeningMiddleware(maxBodyBytes: app.kesu.config.maxBodyBytes)).grouped(AuthMiddleware())
    let transport = VaporTransport(routesBuilder: api)
    try APIHandler(app: app).registerHandlers(
        on: transport, serverURL: try Servers.Server1.url(),
        configuration: Configuration(dateTranscoder: FlexibleDateTranscoder(), jsonEncodingOptions: [.sortedKeys]),
        middlewares: [EmptyBodyMiddleware(maxBytes: app.kesu.config.maxBodyBytes),
                      SchemaGuardMiddleware(limits: try SchemaLimits(document: document),
                                            maxBytes: app.kesu.config.maxBodyBytes)])
}

struct HealthStatus: Content {
    var status: String
    var database: String
}
