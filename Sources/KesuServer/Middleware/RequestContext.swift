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
    /// Set when the actor stands for someone who is not a user: a customer proven by their private link, or a
    /// channel filing what customers wrote. The timeline names `displayName`; the policy weighs this.
    package var standsFor: Principal? = nil

    /// The actor as the access policy sees them: staff, or the system user an integration logs in as.
    package var principal: Principal {
        if let standsFor { return standsFor }
        let identity = StaffIdentity(userID: userID, role: role, unitPath: unitPath)
        return role == .system ? .integration(.systemUser(identity)) : .staff(identity)
    }

    /// Throws 403 unless the access policy lets the actor do this to the subject.
    package func require(_ permission: Permission, on subject: Subject = .organisation) throws {
        try AccessPolicy.require(principal, permission, on: subject)
    }

    /// Whether the access policy lets the actor do this to the subject.
    package func may(_ permission: Permission, on subject: Subject = .organisation) -> Bool {
        AccessPolicy.allows(principal, permission, on: subject)
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
