import Logging
import Vapor

/// Logs each request's method and path (with private link tokens left out, and never the query, headers or body)
/// under its request id.
struct RequestLogMiddleware: AsyncMiddleware {
    let level: Logger.Level

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        request.logger.log(level: level, "\(request.method) \(LogSafe.path(request.url.path))")
        return try await next.respond(to: request)
    }
}
