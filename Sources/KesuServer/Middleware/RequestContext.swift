import Foundation
import KesuCore
import Vapor

/// The staff user a request acts for, as the bearer token or session says.
package struct Actor: Sendable {
    package let userID: UUID
    package let username: String
    package let displayName: String
    package let role: Role
    package let unitID: UUID
    package let unitKind: UnitKind
    package let unitPath: UnitPath
    /// The token the request carried, when it came with one.
    package let tokenID: UUID?

    /// Whether the complaint with this scope path lies within the actor's unit.
    package func covers(scopePath: String) -> Bool {
        unitPath.contains(UnitPath(rawValue: scopePath))
    }
}

/// What the OpenAPI handler needs of the Vapor request it runs for, carried in task-locals by the
/// middleware that sees the request (the transport gives the handler only the HTTP parts).
package enum RequestContext {
    @TaskLocal package static var request: Request?
    @TaskLocal package static var actor: Actor?

    /// The Vapor request, or a fault when called outside a request.
    package static func currentRequest() throws -> Request {
        guard let request else { throw KesuError(.internalError, "no request in context") }
        return request
    }

    /// The authenticated actor; 401 when the request carried no valid credentials.
    package static func requireActor() throws -> Actor {
        guard let actor else {
            throw KesuError(.unauthenticated, "Log in first: send Authorization: Bearer <token>.")
        }
        return actor
    }
}
