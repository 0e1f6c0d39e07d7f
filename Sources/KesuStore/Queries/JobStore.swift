import FluentKit
import Foundation
import KesuCore
import SQLKit

/// A job as stored.
package struct JobRow: Sendable, Equatable {
    package var id: UUID
    package var kind: String
    package var idempotencyKey: String
    /// JSON, as the job's handler reads it.
    package var payload: String
    /// queued → running → done, or back to queued after a temporary failure, or dead.
    package var state: String
    package var attempts: Int
    package var runAt: Date
    package var leasedBy: String?
    package var lastError: String?
    package var createdAt: Date
    package var finishedAt: Date?

    package init(id: UUID, kind: String, idempotencyKey: String, payload: String, runAt: Date, createdAt: Date) {
        self.id = id
        self.kind = kind
        self.idempotencyKey = idempotencyKey
        self.payload = payload
        state = "queued"
        attempts = 0
        self.runAt = runAt
        self.createdAt = createdAt
    }
}

/// The work queue: jobs go in inside the transaction that makes them necessary (an outbox), workers claim them
/// with a lease, and each ends done, queued again for later, or dead.
package enum JobStore {
    static let columns = ["id", "kind", "idempotency_key", "payload", "state", "attempts", "run_at", "leased_by",
                          "last_error", "created_at", "finished_at"]

    /// Queues jobs; one whose idempotency key is already queued (or ran) is not queued twice.
    package static func enqueue(_ jobs: [JobRow], on db: any Database) async throws {
        try await BulkInsert.rows(into: "jobs", columns: columns, jobs.map {
            [$0.id, $0.kind, $0.idempotencyKey, $0.payload, $0.state, $0.attempts, $0.runAt, $0.leasedBy,
             $0.lastError, $0.createdAt, $0.finishedAt]
        }, ignoringConflictOn: "idempotency_key", on: db)
    }

    /// Whether any job's time has come — a plain read, so an idle poll takes no write lock.
    package static func anyDue(at now: Date, on db: any Database) async throws -> Bool {
        try await db.sql.raw("""
            SELECT 1 AS one FROM jobs WHERE state IN ('queued', 'running') AND run_at <= \(bind: now) LIMIT 1
            """).first() != nil
    }

    /// Claims up to `limit` jobs whose time has come — new ones, retries that are due, and running ones whose
    /// worker's lease ran out — for `worker` until `leaseEnd`. On PostgreSQL rows other workers are claiming are
    /// skipped (`FOR UPDATE SKIP LOCKED`); SQLite runs one writer at a time, so the update claims atomically.
    package static func claim(at now: Date, leaseEnd: Date, worker: String, limit: Int, on db: any Database)
        async throws -> [JobRow]
    {
        let locking = try RowLock.locksRows(db) ? " FOR UPDATE SKIP LOCKED" : ""
        return try await db.sql.raw("""
            UPDATE jobs SET state = 'running', run_at = \(bind: leaseEnd), leased_by = \(bind: worker),
                attempts = attempts + 1
            WHERE id IN (SELECT id FROM jobs WHERE state IN ('queued', 'running') AND run_at <= \(bind: now)
                         ORDER BY run_at LIMIT \(bind: limit)\(unsafeRaw: locking))
            RETURNING \(unsafeRaw: columns.joined(separator: ", "))
            """).all().map(decode).sorted { ($0.runAt, $0.createdAt) < ($1.runAt, $1.createdAt) }
    }

    /// Marks the job done if `worker` still holds it; false when its lease was lost to another worker.
    package static func complete(_ id: UUID, worker: String, at now: Date, on db: any Database) async throws -> Bool {
        try await finish(id, worker: worker, set: "state = 'done', finished_at = \(bind: now), last_error = NULL", on: db)
    }

    /// A temporary failure: the job runs again at `retryAt`.
    package static func retry(_ id: UUID, worker: String, at retryAt: Date, error: String, on db: any Database)
        async throws -> Bool
    {
        try await finish(id, worker: worker, set: "state = 'queued', run_at = \(bind: retryAt), last_error = \(bind: error)",
                         on: db)
    }

    /// A permanent failure, or the last attempt: the job is dead until an admin sends it again.
    package static func bury(_ id: UUID, worker: String, at now: Date, error: String, on db: any Database) async throws
        -> Bool
    {
        try await finish(id, worker: worker, set: "state = 'dead', finished_at = \(bind: now), last_error = \(bind: error)",
                         on: db)
    }

    private static func finish(_ id: UUID, worker: String, set: SQLQueryString, on db: any Database) async throws
        -> Bool
    {
        try await db.sql.raw("""
            UPDATE jobs SET \(set), leased_by = NULL
            WHERE id = \(bind: id) AND state = 'running' AND leased_by = \(bind: worker)
            RETURNING id
            """).all().count == 1
    }

    /// An admin sends a dead job again: it starts over with a full set of attempts.
    package static func revive(_ id: UUID, at now: Date, on db: any Database) async throws -> Bool {
        try await db.sql.raw("""
            UPDATE jobs SET state = 'queued', attempts = 0, run_at = \(bind: now), finished_at = NULL
            WHERE id = \(bind: id) AND state = 'dead'
            RETURNING id
            """).all().count == 1
    }

    /// Jobs in one state, newest first.
    package static func list(state: String, limit: Int, on db: any Database) async throws -> [JobRow] {
        try await db.sql.select().columns(columns.map { SQLColumn($0) }).from("jobs")
            .where("state", .equal, SQLBind(state))
            .orderBy("created_at", .descending).limit(limit)
            .all().map(decode)
    }

    /// How many jobs are in each state.
    package static func counts(on db: any Database) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await db.sql.raw("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").all() {
            counts[try row.decode(column: "state", as: String.self)] = try row.decode(column: "n", as: Int.self)
        }
        return counts
    }

    static func decode(_ row: any SQLRow) throws -> JobRow {
        var job = JobRow(id: try row.decode(column: "id", as: UUID.self), kind: try row.decode(column: "kind", as: String.self),
                         idempotencyKey: try row.decode(column: "idempotency_key", as: String.self),
                         payload: try row.decode(column: "payload", as: String.self),
                         runAt: try row.decode(column: "run_at", as: Date.self),
                         createdAt: try row.decode(column: "created_at", as: Date.self))
        job.state = try row.decode(column: "state", as: String.self)
        job.attempts = try row.decode(column: "attempts", as: Int.self)
        job.leasedBy = try row.decode(column: "leased_by", as: String?.self)
        job.lastError = try row.decode(column: "last_error", as: String?.self)
        job.finishedAt = try row.decode(column: "finished_at", as: Date?.self)
        return job
    }
}
