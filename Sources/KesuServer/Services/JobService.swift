import Fluent
import Foundation
import KesuCore
import KesuStore

/// The work queue as admins see it: how many jobs are in each state, the dead ones, sending one again.
package struct JobService: Sendable {
    let services: KesuServices
    let db: any Database

    package init(services: KesuServices, db: any Database) {
        self.services = services
        self.db = db
    }

    package func overview(by actor: Actor, limit: Int = 100) async throws -> (counts: [String: Int], dead: [JobRow]) {
        try actor.require(.manageJobs)
        return (try await JobStore.counts(on: db), try await JobStore.list(state: "dead", limit: limit, on: db))
    }

    /// Queues a dead job again with a full set of attempts.
    package func revive(_ id: UUID, by actor: Actor) async throws {
        try actor.require(.manageJobs)
        let now = services.now()
        guard try await services.writer.write(on: db, { try await JobStore.revive(id, at: now, on: $0) }) else {
            throw KesuError.notFound("No failed job \(id).")
        }
    }
}
