import Fluent
import KesuCore
import Vapor

/// Reads `Authorization: Bearer …`, and runs the rest of the request with the request and its actor in
/// ``RequestContext``. A request without credentials runs with no actor (handlers that need one answer 401);
/// one with bad credentials is refused here.
package struct AuthMiddleware: AsyncMiddleware {
    package init() {}

    package func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        var actor: Actor?
        if let bearer = request.headers.bearerAuthorization?.token {
            actor = try await AuthService(app: request.application).authenticate(bearer: bearer, on: request.db)
        } else if request.headers.first(name: .authorization) != nil {
            throw KesuError(.unauthenticated, "Only Bearer tokens are accepted.")
        }
        return try await RequestContext.$request.withValue(request) {
            try await RequestContext.$actor.withValue(actor) {
                try await next.respond(to: request)
            }
        }
    }
}
